import Foundation

extension SandboxState {
    /// The email behind a live access token for `provider`, or nil.
    func authenticate(_ request: SandboxRequest, _ provider: Provider) -> String? {
        guard let token = request.bearerToken, let stored = self.accessTokens[token], stored.provider == provider,
            stored.expiresAt > self.now, let grant = self.grants[stored.grantId], !grant.revoked
        else { return nil }
        return stored.email
    }

    /// Runs `body` as the token's user or answers the provider's 401.
    func asUser(_ request: SandboxRequest, _ provider: Provider, _ body: (String) -> Reply) -> Reply {
        guard let email = self.authenticate(request, provider) else {
            if provider == .google { return GoogleError.unauthorized }
            let message = request.bearerToken == nil ? "Access token is empty." : "Access token has expired or is not yet valid."
            return GraphError.reply(401, code: "InvalidAuthenticationToken", message: message, now: self.now, requestId: self.guid(),
                                    headers: [("WWW-Authenticate", "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\"")])
        }
        return body(email)
    }

    /// `POST /revoke`: revokes the grant behind an access or refresh token.
    func revoke(_ request: SandboxRequest) -> Reply {
        let token = request.formBody["token"] ?? request.query["token"] ?? ""
        let grantId = self.accessTokens[token]?.grantId ?? self.refreshTokens[token]?.grantId
        guard let grantId, self.grants[grantId]?.revoked == false else {
            return OAuthError.google(400, "invalid_token", "Token expired or revoked")
        }
        self.grants[grantId]?.revoked = true
        return .json(200, [:])
    }

    /// `GET /oauth2/v3/userinfo` (Google) and `GET /v1.0/me` (Graph).
    func userInfo(_ provider: Provider, _ request: SandboxRequest) -> Reply {
        self.asUser(request, provider) { email in
            let name = email.split(separator: "@").first.map(String.init) ?? email
            if provider == .google {
                return .json(200, ["sub": .string(self.userId(email)), "email": .string(email), "email_verified": true, "name": .string(name)])
            }
            return .json(200, [
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
                "id": .string(self.userId(email)), "mail": .string(email), "userPrincipalName": .string(email),
                "displayName": .string(name),
            ])
        }
    }

    /// Control API: revoke every grant of a user (one provider or both).
    func revokeGrants(email: String, provider: Provider?) -> Int {
        var count = 0
        for (id, grant) in self.grants where grant.email == email.lowercased() && (provider == nil || grant.provider == provider) && !grant.revoked {
            self.grants[id]?.revoked = true
            count += 1
        }
        return count
    }

    /// Control API: make every access token of a user expired.
    func expireAccessTokens(email: String, provider: Provider?) -> Int {
        var count = 0
        for (token, stored) in self.accessTokens where stored.email == email.lowercased() && (provider == nil || stored.provider == provider) {
            self.accessTokens[token]?.expiresAt = self.now.addingTimeInterval(-1)
            count += 1
        }
        return count
    }

    /// Control API: sets the lifetime of access tokens issued from now on.
    func setAccessTokenLifetime(_ seconds: Int) {
        self.accessTokenLifetime = seconds
    }
}
