import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CRMSyncDatabase

/// The operator's view of `crmsync`: exit codes and one-line errors.
@Suite("crmsync command line")
struct CommandLineTests {
    @Test("a bad database URL or an unreachable server is one line on stderr and exit 1")
    func connectionErrorsAreOneLine() async throws {
        for url in ["postgres://user:s3cret@host:notaport/db", "postgresql:///x?host=/nonexistent-dir&port=1"] {
            let outcome = try await CommandLineRunner.run(["audit"], environment: ["DATABASE_URL": url])
            #expect(outcome.status == 1, "\(url)")
            let lines = outcome.output.split(separator: "\n")
            #expect(lines.count == 1, "\(outcome.output)")
            #expect(lines.first?.hasPrefix("crmsync: ") == true)
            #expect(!outcome.output.contains("s3cret"))
        }
    }

    @Test("migrate applies then reports nothing to do; audit passes, then fails naming a table without RLS")
    func migrateAndAudit() async throws {
        try await TestDatabase.with("cli", migrate: false) { database in
            try await CommandLineRunner.withEnvironment(for: database) { environment in
                let first = try await MigrationGate.shared.run { try await CommandLineRunner.run(["migrate"], environment: environment) }
                #expect(first.status == 0, "\(first.output)")
                #expect(first.output.contains("applied sql/migrations/000_extensions.sql"))
                let second = try await MigrationGate.shared.run { try await CommandLineRunner.run(["migrate"], environment: environment) }
                #expect(second.status == 0)
                #expect(second.output.contains("0 applied"))

                let passing = try await CommandLineRunner.run(["audit"], environment: environment)
                #expect(passing.status == 0, "\(passing.output)")
                #expect(passing.output.contains("audit passed"))

                let admin = try await database.adminConnection()
                try await admin.execute("set role crmsync_owner; create table public.forgot_rls (id uuid primary key, organization_id uuid not null); reset role")
                let failing = try await CommandLineRunner.run(["audit"], environment: environment)
                #expect(failing.status == 1)
                #expect(failing.output.contains("forgot_rls: row level security is not enabled and forced"), "\(failing.output)")
            }
        }
    }

    @Test("seed-demo without a key refuses with a sentence naming the variables")
    func seedWithoutKey() async throws {
        let outcome = try await CommandLineRunner.run(
            ["seed-demo"], environment: ["CRMSYNC_TOKEN_KEY": nil, "CRMSYNC_TOKEN_KEY_FILE": nil])
        #expect(outcome.status == 1)
        #expect(outcome.output.contains("CRMSYNC_TOKEN_KEY"))
    }
}
