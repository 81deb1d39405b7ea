import CRMSyncTestSupport
import Foundation
import Testing

/// The psql-style SQL checks under Tests/sql/, run by psql itself on a scratch database
/// (migrated and seeded), so `make test` runs them with everything else.
@Suite("SQL scripts")
struct SQLScriptTests {
    static var psql: URL {
        let candidates = ["/usr/bin/psql"]
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted().reversed()
            .map { "/usr/lib/postgresql/\($0)/bin/psql" }
        return URL(fileURLWithPath: candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/psql")
    }

    @Test("Tests/sql/calendar_sync_test.sql: the sync engine's SQL API, step by step as the app calls it")
    func calendarSyncChecks() async throws {
        try await TestDatabase.with("sqlscript") { database in
            let outcome = try await CommandLineRunner.run(
                Self.psql,
                [
                    "-X", "-v", "ON_ERROR_STOP=1", "-d", try database.admin.conninfoString(),
                    "-f", database.root.appendingPathComponent("Tests/sql/calendar_sync_test.sql").path,
                ])
            let text = outcome.output
            #expect(outcome.status == 0, "\(text.split(separator: "\n").suffix(15).joined(separator: "\n"))")
            #expect(!text.contains("FAIL"))
            #expect(text.contains("ok "), "the script checked nothing")
        }
    }
}
