import Foundation

extension OAuthClient {
    /// Exchanges an authorization code (with its PKCE verifier and the same redirect URI).
    /// Not retried: a code works once.
    public func exchange(code: String, codeVerifier: String, redirectURI: URL) async throws(ProviderError) -> TokenSet {
        let response = try await self.postForm(to: self.tokenURL, [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI.absoluteString),
            ("code_verifier", codeVerifier),
        ] + self.clientFields, retryable: false)
        return try self.tokenSet(from: response, previous: nil)
    }

    /// Refreshes the access token. Keeps the old refresh token when none comes back
    /// (Google) and takes the new one when it does (Microsoft rotates them). A dead grant
    /// throws `reconnectRequired`.
    public func refresh(_ tokens: TokenSet) async throws(ProviderError) -> TokenSet {
        guard let refreshToken = tokens.refreshToken else { throw .reconnectRequired(reason: "no refresh token") }
        var fields: [(String, String)] = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        if self.provider == .outlook, let scope = tokens.scope, !scope.isEmpty {
            let scopes = scope.split(separator: " ").map(String.init)
            fields.append(("scope", (scopes.contains("offline_access") ? scopes : scopes + ["offline_access"]).joined(separator: " ")))
        }
        let response = try await self.postForm(to: self.tokenURL, fields + self.clientFields, retryable: true)
        return try self.tokenSet(from: response, previous: tokens)
    }

    /// Revokes a token at Google (revoking either token ends the whole grant). Microsoft has
    /// no revocation endpoint for a single grant: returns false and does nothing, and the
    /// caller just forgets the tokens.
    @discardableResult
    public func revoke(token: String) async throws(ProviderError) -> Bool {
        guard self.provider == .google else { return false }
        _ = try await self.postForm(to: self.endpoints.googleRevokeURL, [("token", token)], retryable: true)
        return true
    }

    var clientFields: [(String, String)] {
        [("client_id", self.credentials.clientId)] + (self.credentials.clientSecret.map { [("client_secret", $0)] } ?? [])
    }

    func postForm(to url: URL, _ fields: [(String, String)], retryable: Bool) async throws(ProviderError) -> HTTPResponse {
        let request = HTTPRequest(
            method: "POST", url: url,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
            body: Data(URLEncoding.query(fields).utf8)
        )
        return try await self.http.send(request, tokens: nil, context: .oauth, retryable: retryable)
    }

    func tokenSet(from response: HTTPResponse, previous: TokenSet?) throws(ProviderError) -> TokenSet {
        let body = try JSONCoding.decode(TokenResponse.self, from: response.body, what: "token response")
        guard let access = body.access_token, !access.isEmpty else { throw .invalidResponse("token response has no access_token") }
        let lifetime = body.expires_in?.value ?? 3600
        return TokenSet(
            accessToken: access,
            refreshToken: body.refresh_token ?? previous?.refreshToken,
            expiresAt: self.http.sleeper.now().addingTimeInterval(Double(lifetime)),
            scope: body.scope ?? previous?.scope
        )
    }
}

/// The token endpoint's JSON (field names as sent).
struct TokenResponse: Decodable {
    var access_token: String?
    var refresh_token: String?
    var expires_in: FlexibleInt?
    var scope: String?
    var token_type: String?
}

/// An integer sent as a JSON number or string (Microsoft's older endpoints send strings).
struct FlexibleInt: Decodable {
    var value: Int

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self.value = number
        } else if let number = Int(try container.decode(String.self)) {
            self.value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an integer")
        }
    }
}
