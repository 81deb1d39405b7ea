import CRMSyncProviders
import Foundation

/// A ProviderSandbox on a free loopback port for the duration of one test, and its control
/// API for playing the user and the provider (the engine's and the mail engine's tests).
public struct Sandbox: Sendable {
    public let base: URL
    public var endpoints: ProviderEndpoints { .sandbox(self.base) }
    public static let redirect = URL(string: "http://127.0.0.1:53682/callback")!

    public init(base: URL) {
        self.base = base
    }

    /// Runs `body` with a sandbox listening. The sandbox answers on the cooperative pool,
    /// so nothing in `body` may block a thread while waiting for it.
    public static func run<T>(_ body: (Sandbox) async throws -> T) async throws -> T {
        try await SandboxServer.run(seed: 11) { try await body(Sandbox(base: $0)) }
    }

    /// Calls the control API; returns the JSON answer.
    @discardableResult
    public func control(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let url = URL(string: self.base.absoluteString + "/_sandbox/" + path)!
        let request = HTTPRequest(method: method, url: url, headers: ["Content-Type": "application/json"], body: data)
        let response = try await URLSessionTransport(defaultTimeout: .seconds(10)).send(request)
        guard response.isSuccess else {
            throw SandboxControlError(description: "control \(method) \(path) answered \(response.status)")
        }
        guard !response.body.isEmpty else { return [:] }
        return (try JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:]
    }

    /// The OAuth authorization-code flow for `email`, as a browser would run it: the sandbox
    /// consents for the `login_hint` user and redirects; the code is exchanged with PKCE.
    public func authorize(
        _ provider: CalendarProviderKind, email: String, features: Set<OAuthFeature> = [.calendar]
    ) async throws -> TokenSet {
        let client = OAuthClient(
            provider: provider, credentials: OAuthCredentials(clientId: "sandbox-client", clientSecret: "sandbox-secret"),
            endpoints: self.endpoints)
        let authorization = client.authorizationRequest(
            redirectURI: Self.redirect, scopes: OAuthFeature.scopes(for: features, provider: provider), loginHint: email)
        let response = try await URLSessionTransport(followsRedirects: false).send(HTTPRequest(method: "GET", url: authorization.url))
        guard let location = response.header("Location").flatMap(URL.init(string:)) else {
            throw SandboxControlError(description: "the sandbox's authorization answered \(response.status) without a redirect")
        }
        let items = URLComponents(url: location, resolvingAgainstBaseURL: false)?.queryItems ?? []
        let query = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        guard query["state"] == authorization.state, let code = query["code"] else {
            throw SandboxControlError(description: "the sandbox's redirect carried no code for this request")
        }
        return try await client.exchange(code: code, codeVerifier: authorization.pkce.verifier, redirectURI: Self.redirect)
    }

    /// Provider requests counted since the last reset.
    public func requestCount(route: String? = nil) async throws -> Int {
        let path = route.map { "requests?route=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? "requests"
        return (try await self.control("GET", path)["count"] as? Int) ?? -1
    }
}

/// The sandbox's control API refused or answered something unexpected.
public struct SandboxControlError: Error, CustomStringConvertible {
    public var description: String
}
