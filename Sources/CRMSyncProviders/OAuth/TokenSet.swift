import Foundation

/// OAuth tokens of one account. `description` never shows the tokens.
public struct TokenSet: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The bearer token for API calls.
    public var accessToken: String
    /// The long-lived token for refreshing; Google sends it only on the first offline
    /// exchange, Microsoft sends a new one with every refresh.
    public var refreshToken: String?
    /// When the access token stops working.
    public var expiresAt: Date
    /// The granted scopes, space separated.
    public var scope: String?

    /// Creates a token set.
    public init(accessToken: String, refreshToken: String?, expiresAt: Date, scope: String?) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scope = scope
    }

    /// True when the access token expires within `margin` of `now` (default 5 minutes).
    public func needsRefresh(now: Date, margin: Duration = .seconds(300)) -> Bool {
        now.addingTimeInterval(margin.seconds) >= self.expiresAt
    }

    public var description: String {
        "TokenSet(access ****, refresh \(self.refreshToken == nil ? "none" : "****"), expires \(RFC3339.format(self.expiresAt)))"
    }

    public var debugDescription: String { self.description }
}

/// An OAuth client registration. `description` never shows the secret.
public struct OAuthCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The client id.
    public var clientId: String
    /// The client secret (nil for public clients).
    public var clientSecret: String?

    /// Creates credentials.
    public init(clientId: String, clientSecret: String?) {
        self.clientId = clientId
        self.clientSecret = clientSecret
    }

    public var description: String { "OAuthCredentials(\(self.clientId), secret ****)" }
}
