import CRMSyncTestSupport
import Foundation
import Testing

/// The psql-style SQL checks under Tests/sql/, each run by psql itself on its own scratch
/// database (migrated and seeded), so `make test` runs them with everything else.
@Suite("SQL scripts")
struct SQLScriptTests {
    static var psql: URL {
        let candidates = ["/usr/bin/psql"]
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted().reversed()
            .map { "/usr/lib/postgresql/\($0)/bin/psql" }
        return URL(fileURLWithPath: candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/psql")
    }

    /// A script and the least number of `ok` lines it prints when it runs to its end.
    struct Script: Sendable, CustomStringConvertible {
        var file: String
        var minimumChecks: Int
        var description: String { self.file }
    }

    static let scripts = [
        // The sync engine's SQL API as the app calls it, one topic a script (calendar_helpers.psql
        // holds what they share). Together they ran as one script with a minimum of 50 checks.
        Script(file: "calendar_import_test.sql", minimumChecks: 4),
        Script(file: "calendar_export_test.sql", minimumChecks: 9),
        Script(file: "calendar_update_test.sql", minimumChecks: 9),
        Script(file: "calendar_conflicts_test.sql", minimumChecks: 21),
        Script(file: "calendar_strategies_test.sql", minimumChecks: 18),
        Script(file: "calendar_export_results_test.sql", minimumChecks: 9),
        Script(file: "calendar_tenancy_test.sql", minimumChecks: 15),
        Script(file: "calendar_runs_test.sql", minimumChecks: 19),
        Script(file: "calendar_export_snapshot_test.sql", minimumChecks: 14),
        Script(file: "calendar_export_owner_test.sql", minimumChecks: 18),
        Script(file: "calendar_claim_test.sql", minimumChecks: 18),
        // The connect flow's state store: begin, single-use consume, expiry, finish, purge.
        Script(file: "oauth_connect_test.sql", minimumChecks: 30),
        // Import and export read rows per event, not per mapping of the account, whatever the
        // statistics know (the rows read are counted, nothing is timed).
        Script(file: "import_plans_test.sql", minimumChecks: 11),
        // The mail sync's SQL API: folders, cursors, import, flags, expunge, reset, runs, leases, outbox.
        Script(file: "email_sync_test.sql", minimumChecks: 62),
    ]

    @Test("Tests/sql scripts pass to their end", arguments: SQLScriptTests.scripts)
    func script(_ script: Script) async throws {
        try await TestDatabase.with("sqlscript") { database in
            let outcome = try await CommandLineRunner.run(
                Self.psql,
                [
                    "-X", "-v", "ON_ERROR_STOP=1", "-d", try database.admin.conninfoString(),
                    "-f", database.root.appendingPathComponent("Tests/sql/\(script.file)").path,
                ])
            let text = outcome.output
            #expect(outcome.status == 0, "\(text.split(separator: "\n").suffix(15).joined(separator: "\n"))")
            #expect(!text.contains("FAIL"))
            #expect(text.components(separatedBy: "ok ").count - 1 >= script.minimumChecks, "the script stopped early")
        }
    }

    @Test("every script under Tests/sql is run by this suite")
    func everyScriptIsListed() throws {
        let folder = TestDatabase.projectRoot.appendingPathComponent("Tests/sql").path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix("_test.sql") }
        #expect(Set(files) == Set(Self.scripts.map(\.file)))
    }
}
