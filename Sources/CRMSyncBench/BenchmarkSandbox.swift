import CRMSyncProviders
import Foundation
import Logging
import ProviderSandbox

/// An in-process provider sandbox for the benchmark, and the few control calls it needs.
struct BenchmarkSandbox: Sendable {
    let base: URL
    var endpoints: ProviderEndpoints { .sandbox(self.base) }
    private static let redirect = URL(string: "http://127.0.0.1:53682/callback")!

    static func run<T>(_ body: (BenchmarkSandbox) async throws -> T) async throws -> T {
        var quiet = Logger(label: "crmsync.sandbox")
        quiet.logLevel = .critical
        let sandbox = ProviderSandbox(configuration: SandboxConfiguration(host: "127.0.0.1", port: 0), logger: quiet)
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let server = Task { try await sandbox.run { sink.yield($0) } }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchmarkError("the sandbox did not start") }
        return try await body(BenchmarkSandbox(base: URL(string: "http://127.0.0.1:\(port)")!))
    }

    /// Calls the control API and returns its JSON answer.
    @discardableResult
    func control(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let request = HTTPRequest(
            method: method, url: URL(string: self.base.absoluteString + "/_sandbox/" + path)!,
            headers: ["Content-Type": "application/json"], body: data)
        let response = try await URLSessionTransport(defaultTimeout: .seconds(30)).send(request)
        guard response.isSuccess else { throw BenchmarkError("sandbox control \(method) \(path) answered \(response.status)") }
        guard !response.body.isEmpty else { return [:] }
        return (try JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:]
    }

    /// Provider requests counted since the last reset (`DELETE requests`).
    func providerRequests() async throws -> Int {
        (try await self.control("GET", "requests")["count"] as? Int) ?? -1
    }

    /// Fills `email`'s Google calendar with `count` timed events, eight at a time.
    func fillGoogleCalendar(email: String, count: Int) async throws {
        let start = Date().addingTimeInterval(86_400)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                if index >= 8 { try await group.next() }
                group.addTask {
                    let begins = start.addingTimeInterval(Double(index % 300) * 86_400 + Double(index % 9) * 3_600)
                    try await self.control(
                        "POST", "google/users/\(email)/calendars/primary/events",
                        [
                            "summary": "Bench event \(index)", "location": "Room \(index % 40)",
                            "start": ["dateTime": RFC3339.format(begins), "timeZone": "Europe/Berlin"],
                            "end": ["dateTime": RFC3339.format(begins.addingTimeInterval(1_800)), "timeZone": "Europe/Berlin"],
                        ])
                }
            }
            try await group.waitForAll()
        }
    }

    /// The authorization-code flow as a browser runs it against the sandbox.
    func authorize(
        email: String, provider: CalendarProviderKind = .google, features: Set<OAuthFeature> = [.calendar]
    ) async throws -> TokenSet {
        let client = OAuthClient(
            provider: provider, credentials: OAuthCredentials(clientId: "sandbox-client", clientSecret: "sandbox-secret"),
            endpoints: self.endpoints)
        let authorization = client.authorizationRequest(
            redirectURI: Self.redirect, scopes: OAuthFeature.scopes(for: features, provider: provider), loginHint: email)
        let response = try await URLSessionTransport(followsRedirects: false).send(HTTPRequest(method: "GET", url: authorization.url))
        guard let location = response.header("Location").flatMap(URLComponents.init(string:)),
            let code = location.queryItems?.first(where: { $0.name == "code" })?.value
        else { throw BenchmarkError("the sandbox did not redirect with a code") }
        return try await client.exchange(code: code, codeVerifier: authorization.pkce.verifier, redirectURI: Self.redirect)
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
