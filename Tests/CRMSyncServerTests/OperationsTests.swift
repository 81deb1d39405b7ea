import CRMSyncProviders
import CRMSyncServer
import CRMSyncTestSupport
import Foundation
import Testing

/// Health, readiness, metrics and the OpenAPI document, including the proof that the
/// document and the router describe the same routes.
@Suite("Operations: healthz, readyz, metrics, openapi.json")
struct OperationsTests {
    @Test("healthz answers; readyz says ready on a migrated database and not ready when a migration is missing")
    func healthAndReadiness() async throws {
        try await ServerHarness.with("ops_ready") { harness in
            #expect(try await harness.send("GET", "/healthz").status == 200)
            let ready = try await harness.send("GET", "/readyz")
            #expect(ready.status == 200)
            #expect(try AccountAPITests.json(ready)["status"] as? String == "ready")

            let admin = try await harness.database.adminConnection()
            try await admin.query("delete from crmsync.schema_migrations where filename = 'sql/migrations/270_calendar_account_settings.sql'")
            let notReady = try await harness.send("GET", "/readyz")
            #expect(notReady.status == 503)
            #expect(try AccountAPITests.json(notReady)["pending_migrations"] as? [String] == ["sql/migrations/270_calendar_account_settings.sql"])
        }
    }

    @Test("metrics are in Prometheus text format and count what happened")
    func metrics() async throws {
        try await ServerHarness.with("ops_metrics") { harness in
            _ = try await harness.send("GET", "/v1/calendar/accounts", headers: ["X-Organization-Id": Demo.acme.uuidString])
            let response = try await harness.send("GET", "/metrics")
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
            let text = String(decoding: response.body, as: UTF8.self)
            #expect(text.contains(#"crmsync_api_auth_refused_total{reason="missing"} 1"#))
            #expect(text.contains("# TYPE crmsync_due_accounts gauge"))
        }
    }

    @Test("the served OpenAPI document is the checked-in one, and its routes are exactly the router's")
    func openAPIMatchesRouter() async throws {
        try await ServerHarness.with("ops_openapi") { harness in
            let served = try await harness.send("GET", "/openapi.json")
            #expect(served.status == 200)
            #expect(served.body == (try OpenAPIDocument.data()))
            let document = try #require(try JSONSerialization.jsonObject(with: served.body) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let documented = Set(
                paths.flatMap { path, operations in
                    operations.keys.filter { ["get", "put", "post", "patch", "delete"].contains($0) }.map { "\($0.uppercased()) \(path)" }
                })
            let router = try await CRMSyncServer(dependencies: harness.dependencies).buildRouter()
            let implemented = Set(
                router.routes.map { route in
                    // Hummingbird writes parameters as `:name`, OpenAPI as `{name}`.
                    let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                    return "\(route.method.rawValue) /\(path.joined(separator: "/"))"
                })
            #expect(implemented.subtracting(documented).sorted() == [], "routes missing from openapi.json")
            #expect(documented.subtracting(implemented).sorted() == [], "documented routes the server does not have")
        }
    }

    @Test("a method a documented path does not have is a 405 with Allow; an unknown path stays a 404")
    func methodNotAllowed() async throws {
        try await ServerHarness.with("ops_405") { harness in
            let token = try await harness.token(for: Demo.alice)
            let auth = ["Authorization": "Bearer \(token)", "X-Organization-Id": Demo.acme.uuidString.lowercased()]
            let account = "/v1/calendar/accounts/\(Demo.aliceCalendar.uuidString.lowercased())"
            let before = try await harness.fingerprint()
            let cases: [(String, String, [String: String], String)] = [
                ("TRACE", "/v1/calendar/accounts", auth, "GET"),
                ("PUT", "/v1/calendar/accounts", auth, "GET"),
                ("PUT", account, auth, "GET, PATCH, DELETE"),
                ("TRACE", account, [:], "GET, PATCH, DELETE"),
                // A literal segment wins over the `{account}` parameter.
                ("PUT", "/v1/calendar/accounts/connect", auth, "POST"),
                ("GET", account + "/sync", auth, "POST"),
                ("DELETE", "/webhooks/google", [:], "POST"),
                ("PUT", "/oauth/google/callback", [:], "GET"),
                ("POST", "/healthz", [:], "GET"),
            ]
            for (method, path, headers, allow) in cases {
                let response = try await harness.send(method, path, headers: headers)
                #expect(response.status == 405, "\(method) \(path)")
                #expect(AccountAPITests.errorCode(response) == "method_not_allowed", "\(method) \(path)")
                // The order of Allow's methods means nothing.
                let allowed = Set((response.header("Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(allowed == Set(allow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }), "\(method) \(path)")
            }
            // Paths the document does not have are still 404 (with no Allow).
            for (method, path) in [("PUT", "/v1/calendar/nothing-here"), ("TRACE", account + "/sync/extra")] {
                let response = try await harness.send(method, path, headers: auth)
                #expect(response.status == 404, "\(method) \(path)")
                #expect(response.header("Allow") == nil, "\(method) \(path)")
            }
            #expect(try await harness.fingerprint() == before)
        }
    }
}
