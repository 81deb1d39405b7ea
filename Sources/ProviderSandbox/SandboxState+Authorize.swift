import Foundation

extension SandboxState {
    /// `GET /o/oauth2/v2/auth` and `GET /{tenant}/oauth2/v2.0/authorize`: consents at once as
    /// the `login_hint` user and redirects back with `code` and `state`.
    func authorize(_ provider: Provider, _ request: SandboxRequest) -> Reply {
        let query = request.query
        guard let clientId = query["client_id"], let client = self.clients["\(provider.rawValue)|\(clientId)"] else {
            return self.invalidClient(provider, status: 401)
        }
        guard let redirectURI = query["redirect_uri"],
            client.redirectURIs.isEmpty || client.redirectURIs.contains(redirectURI)
        else {
            return provider == .google
                ? OAuthError.google(400, "redirect_uri_mismatch", "The redirect URI in the request did not match a registered redirect URI.")
                : self.microsoftError(400, "invalid_request", 50011, "The redirect URI specified in the request does not match the redirect URIs configured for the application.")
        }
        var back: [(String, String)] = []
        guard query["response_type"] == "code" else {
            back = [("error", "unsupported_response_type")]
            if let state = query["state"] { back.append(("state", state)) }
            return .redirect(FormEncoding.append(back, to: redirectURI))
        }
        let email = (query["login_hint"].flatMap { $0.isEmpty ? nil : $0 } ?? "sandbox.user@example.com").lowercased()
        if self.deniedUsers.contains("\(provider.rawValue)|\(email)") {
            back = [("error", "access_denied")]
            if provider == .microsoft { back.append(("error_description", "AADSTS65004: User declined to consent to access the app.")) }
        } else {
            let code = self.token(provider == .google ? "4/0A" : "M.C5", 40)
            let scope = query["scope"] ?? ""
            self.codes[code] = AuthorizationCode(
                provider: provider, clientId: clientId, redirectURI: redirectURI,
                codeChallenge: query["code_challenge"], codeChallengeMethod: query["code_challenge_method"],
                scope: scope,
                email: email,
                offline: provider == .google ? query["access_type"] == "offline" : scope.split(separator: " ").contains("offline_access"),
                forceConsent: query["prompt"] == "consent",
                expiresAt: self.now.addingTimeInterval(600), used: false)
            back = [("code", code)]
            if provider == .google { back.append(("scope", scope)) }
        }
        if let state = query["state"] { back.append(("state", state)) }
        return .redirect(FormEncoding.append(back, to: redirectURI))
    }

    /// The provider's `invalid_client` error.
    func invalidClient(_ provider: Provider, status: Int = 401) -> Reply {
        provider == .google
            ? OAuthError.google(status, "invalid_client", "The OAuth client was not found.")
            : self.microsoftError(status, "invalid_client", 7_000_215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
    }

    /// A Microsoft identity platform error with a generated trace id.
    func microsoftError(_ status: Int, _ error: String, _ code: Int, _ description: String) -> Reply {
        OAuthError.microsoft(status, error, code: code, description, now: self.now, traceId: self.guid())
    }

    /// Sets whether `email` refuses consent.
    func setDenied(_ provider: Provider?, email: String, deny: Bool) {
        for item in provider.map({ [$0] }) ?? [.google, .microsoft] {
            let key = "\(item.rawValue)|\(email.lowercased())"
            if deny { self.deniedUsers.insert(key) } else { self.deniedUsers.remove(key) }
        }
    }

    /// Registers (or replaces) an OAuth client.
    func register(_ client: OAuthClient) {
        self.clients["\(client.provider.rawValue)|\(client.id)"] = client
    }
}
