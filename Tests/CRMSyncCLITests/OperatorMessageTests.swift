import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CRMSyncDatabase

/// What a new operator meets: seed-demo keeps their OAuth client, a command
/// before `migrate` says to run it, a non-member is told so in words, a failed sync is one line.
@Suite("crmsync command line: what a new operator reads")
struct OperatorMessageTests {
    @Test("seed-demo keeps an OAuth client registered with oauth-client set, and stays idempotent")
    func seedKeepsRegisteredClient() async throws {
        try await TestDatabase.with("cli_seed_client") { database in
            try await CommandLineRunner.withEnvironment(for: database) { base in
                var environment = base
                environment["CRMSYNC_OAUTH_CLIENT_SECRET"] = "operator-secret-0123456789"
                for provider in ["google", "microsoft"] {
                    let set = try await CommandLineRunner.run(
                        ["oauth-client", "set", "--provider", provider, "--client-id", "operator-\(provider)"], environment: environment)
                    #expect(set.status == 0, "\(set.output)")
                }
                for _ in 0..<2 {
                    let seeded = try await CommandLineRunner.run(["seed-demo"], environment: base)
                    #expect(seeded.status == 0, "\(seeded.output)")
                }
                let admin = try await database.adminConnection()
                let clients = try await admin.query(
                    "select provider || '=' || client_id from public.oauth_secrets where organization_id is null order by provider"
                ).rows.map { try $0.decode(String.self, at: 0) }
                #expect(clients == ["google=operator-google", "microsoft=operator-microsoft"])
            }
        }
    }

    @Test("before migrate: a missing schema and a missing service role both say to run crmsync migrate")
    func beforeMigrate() async throws {
        try await TestDatabase.with("cli_unmigrated", migrate: false) { database in
            try await CommandLineRunner.withEnvironment(for: database) { base in
                let account = UUID().uuidString
                let noSchema = try await CommandLineRunner.runSeparated(["sync", "--account", account], environment: base)
                #expect(noSchema.status == 1)
                #expect(noSchema.stderr.hasPrefix("crmsync: ") && noSchema.stderr.contains("run `crmsync migrate`"), "\(noSchema.stderr)")

                // The service role does not exist yet (a fresh cluster before its first migrate).
                var environment = base
                environment["CRMSYNC_APP_DATABASE_URL"] = try database.app.loggingIn(as: "crmsync_app_not_created", password: nil)
                    .conninfoString()
                let noRole = try await CommandLineRunner.runSeparated(
                    ["sync", "--account", account, "--user", Demo.alice.uuidString, "--org", Demo.acme.uuidString],
                    environment: environment)
                #expect(noRole.status == 1)
                #expect(
                    noRole.stderr == "crmsync: the database has no role \"crmsync_app_not_created\" yet: run `crmsync migrate` first (it creates the roles)\n",
                    "\(noRole.stderr)")
            }
        }
    }

    @Test("a user who is not a member of the organization is told so in words, not by SQLSTATE")
    func nonMember() async throws {
        try await TestDatabase.with("cli_non_member") { database in
            try await CommandLineRunner.withEnvironment(for: database) { environment in
                // hank is Globex's; Acme is not his organization.
                let connect = try await CommandLineRunner.runSeparated(
                    ["connect", "--provider", "google", "--user", Demo.hank.uuidString, "--org", Demo.acme.uuidString, "--timeout", "5"],
                    environment: environment)
                #expect(connect.status == 1)
                #expect(connect.stderr.contains("not a member of the organization"), "\(connect.stderr)")
                #expect(!connect.stderr.contains("SQLSTATE"))
                #expect(connect.stderr.split(separator: "\n").count == 1)
            }
        }
    }

    @Test("a failed sync is one crmsync: line on stderr, and its reason is not on stdout")
    func failedSyncIsOneLine() async throws {
        try await TestDatabase.with("cli_sync_failed") { database in
            try await SandboxServer.run { sandbox in
                try await CommandLineRunner.withEnvironment(for: database) { base in
                    var environment = base
                    // The sandbox knows neither the demo tokens nor the demo OAuth clients: the run fails.
                    environment["CRMSYNC_SANDBOX_URL"] = sandbox.absoluteString
                    environment["CRMSYNC_LOG_LEVEL"] = nil
                    let run = try await CommandLineRunner.runSeparated(
                        ["sync", "--account", Demo.aliceCalendar.uuidString], environment: environment)
                    #expect(run.status == 1)
                    let lines = run.stderr.split(separator: "\n")
                    #expect(lines.count == 1, "\(run.stderr)")
                    #expect(lines.first?.hasPrefix("crmsync: sync failed: ") == true, "\(run.stderr)")
                    #expect(!run.stdout.contains("failed"), "\(run.stdout)")
                    #expect(
                        try await database.adminConnection().query(
                            "select status from public.calendar_sync_log where calendar_account_id = \(Demo.aliceCalendar) order by started_at desc limit 1"
                        ).first?.decode(String.self, at: 0) == "failed")
                }
            }
        }
    }
}
