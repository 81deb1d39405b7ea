import Foundation
import Testing
@testable import CRMSyncProviders

@Suite struct OAuthSandboxTests {
    @Test func concurrentRefreshesSpendTheRotatingRefreshTokenOnce() async throws {
        try await LiveSandbox.run { sandbox in
            let initial = try await sandbox.connect(.outlook, email: "ro@contoso.com")
            let stored = StoredTokens()
            let provider = OAuthTokenProvider(tokens: initial, client: sandbox.oauthClient(.outlook)) { await stored.save($0) }
            try await sandbox.control("DELETE", "/_sandbox/requests")
            async let first = provider.refreshAfterUnauthorized()
            async let second = provider.refreshAfterUnauthorized()
            let (a, b) = try await (first, second)
            #expect(a == b)
            let current = await provider.tokens
            #expect(current.refreshToken != initial.refreshToken)
            #expect(await stored.saved.last == current)
            let counted = try await sandbox.control("GET", "/_sandbox/requests?route=POST%20/common/oauth2/v2.0/token") as? [String: Any]
            #expect(counted?["count"] as? Int == 1)
        }
    }

    @Test func aCodeWorksOnceAndUnknownClientsAreRefused() async throws {
        try await LiveSandbox.run { sandbox in
            let client = sandbox.oauthClient(.google)
            let authorization = client.authorizationRequest(redirectURI: LiveSandbox.redirect, scopes: ["openid", "email"], loginHint: "co@example.com")
            let response = try await URLSessionTransport(followsRedirects: false).send(HTTPRequest(method: "GET", url: authorization.url))
            let location = try #require(response.header("Location").flatMap(URL.init(string:)))
            let code = try #require(URLEncoding.queryItems(of: location).first { $0.0 == "code" }?.1)
            await #expect(throws: ProviderError.self) {
                _ = try await client.exchange(code: code, codeVerifier: PKCE.generate().verifier, redirectURI: LiveSandbox.redirect)
            }
            let unknown = sandbox.oauthClient(.google, clientId: "nobody")
            await #expect(throws: ProviderError.clientRejected(reason: "invalid_client")) {
                _ = try await unknown.exchange(code: code, codeVerifier: authorization.pkce.verifier, redirectURI: LiveSandbox.redirect)
            }
        }
    }
}

/// Where the test keeps refreshed tokens, as the database would.
actor StoredTokens {
    var saved: [TokenSet] = []

    func save(_ tokens: TokenSet) { self.saved.append(tokens) }
}
