import Foundation

/// OAuth 2.0 authorization-code flow with PKCE for Google or the Microsoft identity platform:
/// authorization URL, code exchange, refresh, revocation.
public struct OAuthClient: Sendable {
    /// Which identity provider.
    public var provider: CalendarProviderKind
    /// The client registration.
    public var credentials: OAuthCredentials
    /// Where the endpoints live.
    public var endpoints: ProviderEndpoints
    /// Transport, retries, clock and logger.
    public var http: ProviderHTTPClient

    /// Creates a client.
    public init(
        provider: CalendarProviderKind,
        credentials: OAuthCredentials,
        endpoints: ProviderEndpoints = ProviderEndpoints(),
        http: ProviderHTTPClient = ProviderHTTPClient()
    ) {
        self.provider = provider
        self.credentials = credentials
        self.endpoints = endpoints
        self.http = http
    }

    var authorizeURL: URL {
        self.provider == .google ? self.endpoints.googleAuthURL : self.endpoints.microsoftAuthorizeURL
    }

    var tokenURL: URL {
        self.provider == .google ? self.endpoints.googleTokenURL : self.endpoints.microsoftTokenURL
    }
}

/// An authorization request ready to open in a browser, with what the callback needs.
public struct AuthorizationRequest: Sendable, Hashable, CustomStringConvertible {
    /// The URL to open.
    public var url: URL
    /// The `state` to compare with the callback's.
    public var state: String
    /// The PKCE pair; its verifier goes with the code exchange.
    public var pkce: PKCE
    /// The redirect URI, sent again with the code exchange.
    public var redirectURI: URL

    public var description: String { "AuthorizationRequest(\(self.url.host ?? "?"), redirect \(self.redirectURI.absoluteString))" }
}
