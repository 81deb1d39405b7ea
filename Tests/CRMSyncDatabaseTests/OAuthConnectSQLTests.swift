import CRMSyncTestSupport
import Foundation
import Testing

/// Tests/sql/oauth_connect_test.sql, run by psql on its own scratch database (migrated and
/// seeded): the connect flow's state store step by step as the service calls it.
@Suite("SQL scripts: OAuth connect states")
struct OAuthConnectSQLTests {
    @Test("Tests/sql/oauth_connect_test.sql: begin, single-use consume, expiry, finish, purge")
    func connectStateChecks() async throws {
        try await TestDatabase.with("sqlconnect") { database in
            let outcome = try await CommandLineRunner.run(
                SQLScriptTests.psql,
                [
                    "-X", "-v", "ON_ERROR_STOP=1", "-d", try database.admin.conninfoString(),
                    "-f", database.root.appendingPathComponent("Tests/sql/oauth_connect_test.sql").path,
                ])
            let text = outcome.output
            #expect(outcome.status == 0, "\(text.split(separator: "\n").suffix(15).joined(separator: "\n"))")
            #expect(!text.contains("FAIL"))
            #expect(text.components(separatedBy: "ok ").count > 30, "the script stopped early")
        }
    }
}
