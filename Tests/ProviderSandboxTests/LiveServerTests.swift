import CRMSyncSupport
import Foundation
import Testing

@testable import ProviderSandbox

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct LiveServerTests {
    @Test func runOnPortZeroReportsPortAndServesLinksWithHost() async throws {
        let sandbox = ProviderSandbox(configuration: SandboxConfiguration(port: 0, clock: { testEpoch }))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sandbox.run { continuation.yield($0) } }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            #expect(port > 0)
            let base = "http://127.0.0.1:\(port)"

            var create = URLRequest(url: URL(string: base + "/_sandbox/microsoft/users/eve@contoso.com/events")!)
            create.httpMethod = "POST"
            create.httpBody = graphEvent("Live", day: 2).encoded()
            create.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let (_, created) = try await URLSession.shared.data(for: create)
            #expect((created as? HTTPURLResponse)?.statusCode == 201)

            let tokenCode = try await Self.connect(base: base, email: "eve@contoso.com")
            var delta = URLRequest(url: URL(string: base + deltaStart)!)
            delta.setValue("Bearer \(tokenCode)", forHTTPHeaderField: "Authorization")
            delta.setValue("odata.maxpagesize=5, outlook.timezone=\"Europe/Berlin\"", forHTTPHeaderField: "Prefer")
            let (data, response) = try await URLSession.shared.data(for: delta)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let page = try #require(JSONValue.parseObject(data))
            #expect(page["@odata.deltaLink"]?.string?.hasPrefix(base + "/v1.0/me/calendarView/delta?$deltatoken=") == true)
            #expect(page["value"]?.array?.first?["start"]?["timeZone"]?.string == "Europe/Berlin")
            #expect(page["value"]?.array?.first?["start"]?["dateTime"]?.string == "2025-03-02T18:00:00.0000000")
            group.cancelAll()
        }
    }

    /// Code flow without following the redirect: the test reads `Location` itself.
    static func connect(base: String, email: String) async throws -> String {
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        let query = FormEncoding.encode([
            ("client_id", "sandbox-client"), ("redirect_uri", "http://127.0.0.1:1/cb"), ("response_type", "code"),
            ("scope", "offline_access Calendars.ReadWrite"), ("login_hint", email),
        ])
        let (_, response) = try await session.data(from: URL(string: base + "/common/oauth2/v2.0/authorize?" + query)!)
        let location = try #require((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Location"))
        let code = try #require(FormEncoding.decode(String(location.split(separator: "?").last ?? ""))["code"])
        var token = URLRequest(url: URL(string: base + "/common/oauth2/v2.0/token")!)
        token.httpMethod = "POST"
        token.httpBody = Data(FormEncoding.encode([
            ("grant_type", "authorization_code"), ("code", code), ("client_id", "sandbox-client"),
            ("client_secret", "sandbox-secret"), ("redirect_uri", "http://127.0.0.1:1/cb"),
        ]).utf8)
        let (data, _) = try await URLSession.shared.data(for: token)
        return try #require(JSONValue.parseObject(data)?["access_token"]?.string)
    }
}

/// Stops URLSession from following the authorize endpoint's 302.
final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
