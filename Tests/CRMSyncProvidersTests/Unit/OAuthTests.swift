import CRMSyncSupport
import Foundation
import Testing
@testable import CRMSyncProviders

@Suite struct OAuthTests {
    @Test func sha256KnownVectors() {
        func hex(_ text: String) -> String { SHA256.hash(Array(text.utf8)).map { String($0, radix: 16).leftPadded(to: 2) }.joined() }
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func pkceRFC7636AppendixB() throws {
        let pkce = try #require(PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
        #expect(pkce.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(PKCE(verifier: "short") == nil)
        #expect(PKCE(verifier: String(repeating: "a", count: 42) + "!") == nil)
        let generated = PKCE.generate()
        #expect((43...128).contains(generated.verifier.count))
        #expect(PKCE(verifier: generated.verifier) != nil)
        #expect(!generated.description.contains(generated.verifier))
    }

    func query(_ url: URL) -> [String: String] {
        Dictionary(URLEncoding.queryItems(of: url), uniquingKeysWith: { first, _ in first })
    }

    @Test func googleAuthorizationURL() throws {
        let client = OAuthClient(provider: .google, credentials: OAuthCredentials(clientId: "cid", clientSecret: "sec"))
        let pkce = try #require(PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
        let request = client.authorizationRequest(
            redirectURI: URL(string: "http://127.0.0.1:4711/callback")!,
            scopes: OAuthFeature.scopes(for: [.calendar], provider: .google),
            loginHint: "ana@example.com", state: "st8", pkce: pkce
        )
        #expect(request.url.absoluteString.hasPrefix("https://accounts.google.com/o/oauth2/v2/auth?"))
        let query = self.query(request.url)
        #expect(query["response_type"] == "code")
        #expect(query["client_id"] == "cid")
        #expect(query["redirect_uri"] == "http://127.0.0.1:4711/callback")
        #expect(query["scope"] == "openid email https://www.googleapis.com/auth/calendar.events")
        #expect(query["state"] == "st8")
        #expect(query["code_challenge"] == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(query["code_challenge_method"] == "S256")
        #expect(query["access_type"] == "offline" && query["prompt"] == "consent")
        #expect(query["login_hint"] == "ana@example.com")
        #expect(query["client_secret"] == nil)
        #expect(!request.url.absoluteString.contains("sec"))
    }

    @Test func microsoftAuthorizationURL() {
        let endpoints = ProviderEndpoints(microsoftTenant: "organizations")
        let client = OAuthClient(provider: .outlook, credentials: OAuthCredentials(clientId: "cid", clientSecret: nil), endpoints: endpoints)
        let request = client.authorizationRequest(redirectURI: URL(string: "http://127.0.0.1:1/cb")!, scopes: ["Calendars.ReadWrite"], loginHint: "bo@contoso.com")
        #expect(request.url.absoluteString.hasPrefix("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?"))
        let query = self.query(request.url)
        #expect(query["scope"] == "offline_access Calendars.ReadWrite")
        #expect(query["response_mode"] == "query")
        #expect(query["access_type"] == nil)
        #expect(query["state"] == request.state && request.state.count >= 32)
        #expect(query["code_challenge"] == request.pkce.challenge)
        #expect(OAuthFeature.scopes(for: [.calendar, .mailSend], provider: .outlook)
            == ["offline_access", "openid", "email", "User.Read", "Calendars.ReadWrite", "Mail.Send"])
    }

    @Test func tokenSetNeedsRefreshWithinMargin() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let tokens = TokenSet(accessToken: "a", refreshToken: "r", expiresAt: now.addingTimeInterval(600), scope: nil)
        #expect(!tokens.needsRefresh(now: now))
        #expect(tokens.needsRefresh(now: now.addingTimeInterval(301)))
        #expect(tokens.needsRefresh(now: now, margin: .seconds(900)))
    }

    @Test func endpointsForSandboxAndEnvironment() throws {
        let base = URL(string: "http://127.0.0.1:8099")!
        let sandbox = ProviderEndpoints.sandbox(base)
        #expect(sandbox.googleAPIBase.absoluteString == "http://127.0.0.1:8099/calendar/v3")
        #expect(sandbox.googleAuthURL.absoluteString == "http://127.0.0.1:8099/o/oauth2/v2/auth")
        #expect(sandbox.googleTokenURL.absoluteString == "http://127.0.0.1:8099/token")
        #expect(sandbox.googleRevokeURL.absoluteString == "http://127.0.0.1:8099/revoke")
        #expect(sandbox.googleUserInfoURL.absoluteString == "http://127.0.0.1:8099/oauth2/v3/userinfo")
        #expect(sandbox.graphBase.absoluteString == "http://127.0.0.1:8099/v1.0")
        #expect(sandbox.microsoftTokenURL.absoluteString == "http://127.0.0.1:8099/common/oauth2/v2.0/token")
        #expect(try ProviderEndpoints.fromEnvironment([:]) == ProviderEndpoints())
        #expect(try ProviderEndpoints.fromEnvironment(["CRMSYNC_SANDBOX_URL": "http://127.0.0.1:8099"]) == sandbox)
        let mixed = try ProviderEndpoints.fromEnvironment(["CRMSYNC_SANDBOX_URL": "http://127.0.0.1:8099", "CRMSYNC_GRAPH_URL": "https://graph.example/v1.0"])
        #expect(mixed.graphBase.absoluteString == "https://graph.example/v1.0" && mixed.googleTokenURL == sandbox.googleTokenURL)
        #expect(throws: ProviderError.self) { try ProviderEndpoints.fromEnvironment(["CRMSYNC_GRAPH_URL": "ftp://x"]) }
    }
}
