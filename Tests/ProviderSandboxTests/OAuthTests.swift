import Foundation
import Testing

@testable import ProviderSandbox

@Suite struct OAuthTests {
    @Test(arguments: [Provider.google, .microsoft])
    func codeFlowWithPKCE(provider: Provider) async throws {
        try await withSandbox { api in
            let query = try await api.authorize(provider, email: "Ann@Example.com")
            #expect(query["state"] == "st-1")
            let code = try #require(query["code"])
            let result = try await api.exchange(provider, code: code)
            #expect(result.status == 200)
            #expect(result.json["token_type"]?.string == "Bearer")
            #expect(result.json["expires_in"]?.int == 3600)
            #expect(result.json["refresh_token"]?.string != nil)
            let access = try #require(result.json["access_token"]?.string)
            let me = try await api.json(.get, provider == .google ? "/oauth2/v3/userinfo" : "/v1.0/me", token: access)
            #expect(me.status == 200)
            #expect((me.json["email"] ?? me.json["mail"])?.string == "ann@example.com")
        }
    }

    @Test(arguments: [Provider.google, .microsoft])
    func badExchangesFail(provider: Provider) async throws {
        try await withSandbox { api in
            let code1 = try #require(try await api.authorize(provider, email: "a@example.com")["code"])
            let wrongVerifier = try await api.exchange(provider, code: code1, verifier: "not-the-verifier-at-all-0123456789-abcdefgh")
            #expect(wrongVerifier.status == 400)
            #expect(wrongVerifier.json["error"]?.string == "invalid_grant")

            let code2 = try #require(try await api.authorize(provider, email: "a@example.com")["code"])
            let wrongRedirect = try await api.exchange(provider, code: code2, redirect: "http://127.0.0.1:9/other")
            #expect(wrongRedirect.status == 400)
            #expect(wrongRedirect.json["error"]?.string != nil)

            let code3 = try #require(try await api.authorize(provider, email: "a@example.com")["code"])
            #expect(try await api.exchange(provider, code: code3).status == 200)
            let reused = try await api.exchange(provider, code: code3)
            #expect(reused.status == 400)
            #expect(reused.json["error"]?.string == "invalid_grant")
        }
    }

    @Test func unknownClientIsInvalidClient() async throws {
        try await withSandbox { api in
            let result = try await api.form("/token", [
                ("grant_type", "refresh_token"), ("refresh_token", "x"), ("client_id", "nobody"), ("client_secret", "s"),
            ])
            #expect(result.status == 401)
            #expect(result.json["error"]?.string == "invalid_client")
            let microsoft = try await api.form("/common/oauth2/v2.0/token", [("grant_type", "refresh_token"), ("client_id", "nobody")])
            #expect(microsoft.json["error"]?.string == "invalid_client")
            #expect(microsoft.json["error_codes"]?.array?.first?.int == 7_000_215)
        }
    }

    @Test func microsoftRotatesRefreshTokens() async throws {
        try await withSandbox { api in
            let tokens = try await api.connect(.microsoft, email: "bob@contoso.com")
            let first = try await api.refresh(.microsoft, tokens.refresh)
            #expect(first.status == 200)
            let rotated = try #require(first.json["refresh_token"]?.string)
            #expect(rotated != tokens.refresh)
            let old = try await api.refresh(.microsoft, tokens.refresh)
            #expect(old.status == 400)
            #expect(old.json["error"]?.string == "invalid_grant")
            #expect(old.json["error_description"]?.string?.hasPrefix("AADSTS70008") == true)
            #expect(try await api.refresh(.microsoft, rotated).status == 200)
        }
    }

    @Test func googleKeepsRefreshTokenAndRevokeKillsIt() async throws {
        try await withSandbox { api in
            let tokens = try await api.connect(.google, email: "cy@example.com")
            let refreshed = try await api.refresh(.google, tokens.refresh)
            #expect(refreshed.status == 200)
            #expect(refreshed.json["refresh_token"] == nil)
            #expect(try await api.refresh(.google, tokens.refresh).status == 200)

            #expect(try await api.form("/revoke", [("token", tokens.access)]).status == 200)
            let dead = try await api.refresh(.google, tokens.refresh)
            #expect(dead.status == 400)
            #expect(dead.json == ["error": "invalid_grant", "error_description": "Token has been expired or revoked."])
            let call = try await api.json(.get, "/calendar/v3/calendars/primary/events", token: tokens.access)
            #expect(call.status == 401)
            #expect(call.json["error"]?["errors"]?.array?.first?["reason"]?.string == "authError")
        }
    }

    @Test func accessTokensExpireAndControlRevokes() async throws {
        try await withSandbox { api in
            #expect(try await api.json(.post, "/_sandbox/oauth/token-lifetime", ["seconds": 60]).status == 204)
            let tokens = try await api.connect(.microsoft, email: "dee@contoso.com")
            #expect(try await api.json(.get, "/v1.0/me", token: tokens.access).status == 200)
            _ = try await api.json(.post, "/_sandbox/clock/advance", ["seconds": 61])
            let expired = try await api.json(.get, "/v1.0/me", token: tokens.access)
            #expect(expired.status == 401)
            #expect(expired.json["error"]?["code"]?.string == "InvalidAuthenticationToken")
            #expect(try await api.json(.get, "/v1.0/me").json["error"]?["code"]?.string == "InvalidAuthenticationToken")

            #expect(try await api.json(.post, "/_sandbox/users/dee@contoso.com/revoke").status == 200)
            let revoked = try await api.refresh(.microsoft, tokens.refresh)
            #expect(revoked.json["error_codes"]?.array?.first?.int == 50173)
        }
    }

    @Test func deniedConsentRedirectsWithAccessDenied() async throws {
        try await withSandbox { api in
            _ = try await api.json(.post, "/_sandbox/oauth/deny", ["email": "no@example.com", "deny": true])
            let query = try await api.authorize(.google, email: "no@example.com")
            #expect(query["error"] == "access_denied")
            #expect(query["state"] == "st-1")
            #expect(query["code"] == nil)
        }
    }
}
