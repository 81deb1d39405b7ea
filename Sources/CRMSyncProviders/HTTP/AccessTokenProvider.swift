/// Supplies bearer tokens to a provider client.
public protocol AccessTokenProvider: Sendable {
    /// A currently valid access token (refreshed first when it is about to expire).
    func accessToken() async throws -> String
    /// Called after the provider answered 401 to the current token: refresh and return the
    /// new token. Throw (`ProviderError.reconnectRequired`) when the grant is dead.
    func refreshAfterUnauthorized() async throws -> String
}

/// A fixed token that cannot be refreshed (scripts, tests).
public struct StaticAccessToken: AccessTokenProvider, CustomStringConvertible {
    let token: String

    /// Wraps a token.
    public init(_ token: String) {
        self.token = token
    }

    public func accessToken() async throws -> String { self.token }

    public func refreshAfterUnauthorized() async throws -> String {
        throw ProviderError.unauthorized
    }

    public var description: String { "StaticAccessToken(****)" }
}
