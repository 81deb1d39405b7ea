import CRMSyncSupport
import Foundation

extension SandboxState {
    /// `POST /token` and `POST /{tenant}/oauth2/v2.0/token` (form encoded).
    func tokenEndpoint(_ provider: Provider, _ request: SandboxRequest) -> Reply {
        var form = request.formBody
        if let basic = request.header("authorization"), basic.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(basic.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) })
        {
            let parts = decoded.split(separator: ":", maxSplits: 1).map { FormEncoding.unescape(String($0)) }
            if parts.count == 2 { (form["client_id"], form["client_secret"]) = (parts[0], parts[1]) }
        }
        guard let clientId = form["client_id"], let client = self.clients["\(provider.rawValue)|\(clientId)"],
            form["client_secret"] == client.secret
        else { return self.invalidClient(provider) }
        switch form["grant_type"] {
        case "authorization_code": return self.exchangeCode(provider, client, form)
        case "refresh_token": return self.refresh(provider, client, form)
        default:
            return provider == .google
                ? OAuthError.google(400, "unsupported_grant_type", "Invalid grant_type: \(form["grant_type"] ?? "")")
                : self.microsoftError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        }
    }

    private func exchangeCode(_ provider: Provider, _ client: OAuthClient, _ form: [String: String]) -> Reply {
        guard let code = form["code"], var stored = self.codes[code], stored.provider == provider,
            stored.clientId == client.id, !stored.used, stored.expiresAt > self.now
        else {
            let used = form["code"].flatMap { self.codes[$0]?.used } ?? false
            return provider == .google
                ? OAuthError.google(400, "invalid_grant", used ? "Bad Request" : "Malformed auth code.")
                : used ? self.microsoftError(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
                : self.microsoftError(400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity.")
        }
        stored.used = true
        self.codes[code] = stored
        guard form["redirect_uri"] == stored.redirectURI else {
            return provider == .google
                ? OAuthError.google(400, "redirect_uri_mismatch", "Bad Request")
                : self.microsoftError(400, "invalid_grant", 50011, "The redirect URI specified in the request does not match the redirect URI used to obtain the authorization code.")
        }
        if let challenge = stored.codeChallenge {
            let verifier = form["code_verifier"] ?? ""
            let computed = stored.codeChallengeMethod == "S256" ? SHA256.pkceChallenge(verifier) : verifier
            guard computed == challenge else {
                return provider == .google
                    ? OAuthError.google(400, "invalid_grant", "Invalid code verifier.")
                    : self.microsoftError(400, "invalid_grant", 501_481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
            }
        }
        let hadGrant = self.grants.values.contains { $0.provider == provider && $0.email == stored.email && $0.clientId == client.id && !$0.revoked }
        let grantId = self.token("grant-", 16)
        self.grants[grantId] = Grant(provider: provider, clientId: client.id, email: stored.email, scope: stored.scope, revoked: false)
        let issueRefresh = stored.offline && (provider == .microsoft || !hadGrant || stored.forceConsent)
        return self.issueTokens(grantId, provider: provider, scope: stored.scope, withRefresh: issueRefresh)
    }

    private func refresh(_ provider: Provider, _ client: OAuthClient, _ form: [String: String]) -> Reply {
        guard let token = form["refresh_token"], let stored = self.refreshTokens[token],
            let grant = self.grants[stored.grantId], grant.provider == provider, grant.clientId == client.id
        else { return self.deadGrant(provider, revoked: false) }
        guard stored.valid, !grant.revoked else { return self.deadGrant(provider, revoked: grant.revoked) }
        if provider == .microsoft { self.refreshTokens[token]?.valid = false }
        return self.issueTokens(stored.grantId, provider: provider, scope: grant.scope, withRefresh: provider == .microsoft)
    }

    /// `invalid_grant` for a dead refresh token, in the provider's words.
    func deadGrant(_ provider: Provider, revoked: Bool) -> Reply {
        if provider == .google { return OAuthError.google(400, "invalid_grant", "Token has been expired or revoked.") }
        return revoked
            ? self.microsoftError(400, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed.")
            : self.microsoftError(400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity.")
    }

    private func issueTokens(_ grantId: String, provider: Provider, scope: String, withRefresh: Bool) -> Reply {
        guard let grant = self.grants[grantId] else { return self.deadGrant(provider, revoked: true) }
        let access = self.token(provider == .google ? "ya29.a0" : "EwB", 48)
        let lifetime = self.accessTokenLifetime
        self.accessTokens[access] = AccessToken(grantId: grantId, provider: provider, email: grant.email, expiresAt: self.now.addingTimeInterval(TimeInterval(lifetime)))
        var body: [String: JSONValue] = [
            "access_token": .string(access), "expires_in": .int(lifetime), "token_type": "Bearer", "scope": .string(scope),
        ]
        if provider == .microsoft { body["ext_expires_in"] = .int(lifetime) }
        if withRefresh {
            let refresh = self.token(provider == .google ? "1//0g" : "M.R3_", 64)
            self.refreshTokens[refresh] = RefreshToken(grantId: grantId, valid: true)
            body["refresh_token"] = .string(refresh)
        }
        if scope.split(separator: " ").contains("openid") { body["id_token"] = .string(self.idToken(grant)) }
        return .json(200, .object(body), headers: [("Cache-Control", "no-store"), ("Pragma", "no-cache")])
    }

    /// An unsigned JWT carrying `sub` and `email` (enough for clients that only read claims).
    private func idToken(_ grant: Grant) -> String {
        let issuer = grant.provider == .google ? "https://accounts.google.com" : "https://login.microsoftonline.com/\(self.tenantId)/v2.0"
        let claims: JSONValue = [
            "iss": .string(issuer), "aud": .string(grant.clientId), "sub": .string(self.userId(grant.email)),
            "email": .string(grant.email), "preferred_username": .string(grant.email),
            "iat": .int(Int(self.now.timeIntervalSince1970)), "exp": .int(Int(self.now.timeIntervalSince1970) + 3600),
        ]
        let encode = { (data: Data) in
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        return encode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + encode(claims.encoded()) + "."
    }

    /// The fixed tenant id of the sandbox's Microsoft directory.
    nonisolated var tenantId: String { "9188040d-6c67-4c5b-b112-36a304b66dad" }

    /// A stable user id derived from the email (no state needed).
    nonisolated func userId(_ email: String) -> String {
        let digest = SHA256.hash(Data(email.lowercased().utf8))
        return digest.prefix(10).map { String($0 % 10) }.joined() + "0000000000"
    }
}
