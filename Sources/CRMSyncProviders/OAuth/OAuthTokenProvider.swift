import Foundation

/// Access tokens from a stored `TokenSet`, refreshed shortly before they expire and once after
/// a 401, with concurrent refreshes coalesced (Microsoft's rotating refresh tokens must not be
/// spent twice). After a dead grant it refuses without calling the provider again.
public actor OAuthTokenProvider: AccessTokenProvider {
    /// The tokens in force.
    public private(set) var tokens: TokenSet
    let client: OAuthClient
    let margin: Duration
    let onRefresh: @Sendable (TokenSet) async -> Void
    private var inFlight: Task<TokenSet, any Error>?
    private var deadGrant: ProviderError?

    /// Creates a provider; `onRefresh` receives every new token set so it can be stored
    /// (encrypted) before it is used.
    public init(
        tokens: TokenSet,
        client: OAuthClient,
        margin: Duration = .seconds(300),
        onRefresh: @escaping @Sendable (TokenSet) async -> Void = { _ in }
    ) {
        self.tokens = tokens
        self.client = client
        self.margin = margin
        self.onRefresh = onRefresh
    }

    /// The current token, refreshed first when it expires within the margin. When that
    /// refresh fails transiently but the token has not yet expired, the token is used anyway.
    public func accessToken() async throws -> String {
        let now = self.client.http.sleeper.now()
        guard self.tokens.needsRefresh(now: now, margin: self.margin) else { return self.tokens.accessToken }
        do {
            return try await self.refresh().accessToken
        } catch let error as ProviderError where error.isTransient && self.tokens.expiresAt > now {
            return self.tokens.accessToken
        }
    }

    public func refreshAfterUnauthorized() async throws -> String {
        try await self.refresh().accessToken
    }

    /// Refreshes now, joining a refresh already under way.
    public func refresh() async throws -> TokenSet {
        if let deadGrant { throw deadGrant }
        if let inFlight { return try await inFlight.value }
        let client = self.client
        let current = self.tokens
        let task = Task { () throws -> TokenSet in try await client.refresh(current) }
        self.inFlight = task
        defer { self.inFlight = nil }
        do {
            let fresh = try await task.value
            self.tokens = fresh
            await self.onRefresh(fresh)
            return fresh
        } catch let error as ProviderError {
            switch error {
            case .reconnectRequired, .clientRejected: self.deadGrant = error
            default: break
            }
            throw error
        }
    }
}
