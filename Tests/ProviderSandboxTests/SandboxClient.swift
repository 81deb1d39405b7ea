import CRMSyncSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ProviderSandbox

/// A response with its body read as JSON or text.
struct TestResult: Sendable {
    var status: Int
    var headers: HTTPFields
    var data: Data

    var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: self.data)) ?? .null }
    var text: String { String(decoding: self.data, as: UTF8.self) }

    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { self.headers[$0] } }
}

/// The sandbox's clock in tests: 1 March 2025, 00:00 UTC.
let testEpoch = Date(timeIntervalSince1970: 1_740_787_200)

/// Sends requests to a sandbox under test.
struct SandboxClient: Sendable {
    let client: any TestClientProtocol

    func send(_ method: HTTPRequest.Method, _ uri: String, headers: [String: String] = [:], body: Data? = nil) async throws -> TestResult {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let response = try await self.client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(bytes: $0) })
        return TestResult(status: Int(response.status.code), headers: response.headers, data: Data(response.body.readableBytesView))
    }

    /// A JSON request, with a bearer token when given.
    func json(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, headers: [String: String] = [:], _ body: JSONValue? = nil)
        async throws -> TestResult
    {
        var all = headers
        if let token { all["Authorization"] = "Bearer \(token)" }
        if body != nil { all["Content-Type"] = "application/json" }
        return try await self.send(method, uri, headers: all, body: body?.encoded())
    }

    /// A form-encoded POST.
    func form(_ uri: String, _ pairs: [(String, String)]) async throws -> TestResult {
        try await self.send(.post, uri, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data(FormEncoding.encode(pairs).utf8))
    }
}

/// Runs `test` against a fresh sandbox (router mode; the webhook dispatcher runs as a service).
func withSandbox(seed: UInt64 = 1, _ test: @escaping @Sendable (SandboxClient) async throws -> Void) async throws {
    let sandbox = ProviderSandbox(configuration: SandboxConfiguration(port: 0, seed: seed, clock: { testEpoch }))
    try await sandbox.buildApplication().test(.router) { client in
        try await test(SandboxClient(client: client))
    }
}

/// Paths of each provider's OAuth endpoints.
func oauthPaths(_ provider: Provider) -> (authorize: String, token: String) {
    provider == .google ? ("/o/oauth2/v2/auth", "/token") : ("/common/oauth2/v2.0/authorize", "/common/oauth2/v2.0/token")
}

extension SandboxClient {
    static let redirect = "http://127.0.0.1:53682/callback"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    /// Runs the authorize endpoint; returns the redirect's query.
    func authorize(_ provider: Provider, email: String, redirect: String = Self.redirect, clientId: String = "sandbox-client")
        async throws -> [String: String]
    {
        let scope = provider == .google ? "openid email https://www.googleapis.com/auth/calendar.events" : "offline_access openid email Calendars.ReadWrite"
        let query = FormEncoding.encode([
            ("client_id", clientId), ("redirect_uri", redirect), ("response_type", "code"), ("scope", scope),
            ("state", "st-1"), ("access_type", "offline"), ("prompt", "consent"), ("login_hint", email),
            ("code_challenge", SHA256.pkceChallenge(Self.verifier)), ("code_challenge_method", "S256"),
        ])
        let result = try await self.send(.get, oauthPaths(provider).authorize + "?" + query)
        #expect(result.status == 302)
        let location = try #require(result.header("Location"))
        #expect(location.hasPrefix(redirect))
        return FormEncoding.decode(String(location.split(separator: "?", maxSplits: 1).last ?? ""))
    }

    /// Exchanges a code.
    func exchange(_ provider: Provider, code: String, verifier: String = Self.verifier, redirect: String = Self.redirect) async throws -> TestResult {
        try await self.form(oauthPaths(provider).token, [
            ("grant_type", "authorization_code"), ("code", code), ("client_id", "sandbox-client"),
            ("client_secret", "sandbox-secret"), ("redirect_uri", redirect), ("code_verifier", verifier),
        ])
    }

    func refresh(_ provider: Provider, _ token: String) async throws -> TestResult {
        try await self.form(oauthPaths(provider).token, [
            ("grant_type", "refresh_token"), ("refresh_token", token), ("client_id", "sandbox-client"), ("client_secret", "sandbox-secret"),
        ])
    }

    /// The whole connect flow: access and refresh token for `email`.
    func connect(_ provider: Provider, email: String) async throws -> (access: String, refresh: String) {
        let code = try #require(try await self.authorize(provider, email: email)["code"])
        let result = try await self.exchange(provider, code: code)
        #expect(result.status == 200)
        return (try #require(result.json["access_token"]?.string), try #require(result.json["refresh_token"]?.string))
    }
}
