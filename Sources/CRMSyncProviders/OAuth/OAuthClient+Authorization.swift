import CRMSyncSupport
import Foundation

extension OAuthClient {
    /// Builds the authorization URL: `response_type=code`, PKCE S256, `state`, the scopes,
    /// `login_hint`; for Google `access_type=offline` and `prompt=consent` (so a refresh
    /// token comes back); for Microsoft `offline_access` among the scopes and
    /// `response_mode=query`.
    public func authorizationRequest(
        redirectURI: URL,
        scopes: [String],
        loginHint: String? = nil,
        state: String = OAuthClient.randomState(),
        pkce: PKCE = .generate()
    ) -> AuthorizationRequest {
        var scopes = scopes
        if self.provider == .outlook && !scopes.contains("offline_access") { scopes.insert("offline_access", at: 0) }
        var query: [(String, String)] = [
            ("client_id", self.credentials.clientId),
            ("redirect_uri", redirectURI.absoluteString),
            ("response_type", "code"),
            ("scope", scopes.joined(separator: " ")),
            ("state", state),
            ("code_challenge", pkce.challenge),
            ("code_challenge_method", pkce.method),
        ]
        switch self.provider {
        case .google:
            query += [("access_type", "offline"), ("prompt", "consent"), ("include_granted_scopes", "true")]
        case .outlook:
            query += [("response_mode", "query")]
        }
        if let loginHint { query.append(("login_hint", loginHint)) }
        return AuthorizationRequest(url: URLEncoding.url(self.authorizeURL, query: query), state: state, pkce: pkce, redirectURI: redirectURI)
    }

    /// A random `state` value (32 bytes, base64url).
    public static func randomState() -> String {
        Base64URL.randomToken()
    }
}
