import CRMSyncTestSupport
import CRMSyncDatabase
import Foundation
import PostgresClient
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("a fresh database gets every file once; running again applies nothing")
    func freshApplyThenNoOp() async throws {
        try await TestDatabase.with("mig_fresh", migrate: false) { database in
            let files = try MigrationFile.load(root: database.root)
            #expect(files.first?.name == "sql/000_extensions.sql")
            #expect(!files.contains { $0.name == "policies/audit.sql" })
            let connection = try await database.adminConnection()
            let first = try await MigrationGate.shared.run { try await Migrator(files: files).apply(on: connection) }
            #expect(first.applied == files.map(\.name))
            let second = try await MigrationGate.shared.run { try await Migrator(files: files).apply(on: connection) }
            #expect(second.applied.isEmpty)
            #expect(second.unchanged == files.count)
            #expect(try await Migrator(files: files).pending(on: connection).isEmpty)
            let recorded = try await connection.query("select count(*) from crmsync.schema_migrations")
            #expect(try recorded.first?.decode(Int.self, at: 0) == files.count)
        }
    }

    @Test("every file is idempotent on its own: applying all of them twice succeeds")
    func filesAreIdempotent() async throws {
        try await TestDatabase.with("mig_idem", seed: false) { database in
            let connection = try await database.adminConnection()
            try await MigrationGate.shared.run {
                for file in try MigrationFile.load(root: database.root) {
                    try await connection.transaction { try await $0.execute(file.contents) }
                    try await connection.execute("reset role")
                }
            }
        }
    }

    @Test("an applied file that was edited is refused, naming the file, and nothing is applied")
    func editedFileIsRefused() async throws {
        try await TestDatabase.with("mig_edit", seed: false) { database in
            var files = try MigrationFile.load(root: database.root)
            let index = try #require(files.firstIndex { $0.name == "sql/050_organizations.sql" })
            files[index].contents += "\n-- edited after apply\n"
            files.append(MigrationFile(name: "sql/999_new.sql", contents: "create table public.should_not_exist (id int);"))
            let connection = try await database.adminConnection()
            do {
                _ = try await Migrator(files: files).apply(on: connection)
                Issue.record("an edited migration was accepted")
            } catch let error as MigrationError {
                #expect("\(error)".contains("sql/050_organizations.sql was changed after it was applied"))
            }
            let exists = try await connection.query("select to_regclass('public.should_not_exist') is null")
            #expect(try exists.first?.decode(Bool.self, at: 0) == true)
            #expect(try await Migrator(files: files).pending(on: connection) == ["sql/050_organizations.sql", "sql/999_new.sql"])
        }
    }

    @Test("a failing file is rolled back whole and reported with its name")
    func failingFileRollsBack() async throws {
        try await TestDatabase.with("mig_fail", seed: false) { database in
            let broken = MigrationFile(
                name: "sql/998_broken.sql",
                contents: "create table public.half_done (id int); select no_such_function();")
            let connection = try await database.adminConnection()
            await #expect(throws: MigrationError.self) { try await Migrator(files: [broken]).apply(on: connection) }
            let rows = try await connection.query(
                "select to_regclass('public.half_done') is null, (select count(*) from crmsync.schema_migrations where filename = 'sql/998_broken.sql')")
            #expect(try rows.first?.decode(Bool.self, at: 0) == true)
            #expect(try rows.first?.decode(Int.self, at: 1) == 0)
        }
    }
}

@Suite("Policy audit")
struct PolicyAuditTests {
    @Test("the real schema passes: every public table is covered and no problem is reported")
    func realSchemaPasses() async throws {
        try await TestDatabase.with("audit_ok", seed: false) { database in
            let connection = try await database.adminConnection()
            let audit = try await PolicyAudit.run(try PolicyAudit.load(root: database.root), on: connection)
            #expect(audit.problems.isEmpty, "\(audit.problems.map { "\($0.tableName ?? "") \($0.problem ?? "")" })")
            let tables = Set(audit.findings.filter { $0.item == "table" }.compactMap(\.tableName))
            for table in [
                "organizations", "user_organizations", "appointments", "calendar_accounts", "calendar_event_mappings",
                "calendar_sync_log", "email_accounts", "email_messages", "email_attachments", "oauth_secrets", "audit_log",
            ] {
                #expect(tables.contains(table), "audit does not report \(table)")
            }
            #expect(audit.findings.filter { $0.item == "table" }.allSatisfy { $0.rlsEnabled == true && $0.rlsForced == true })
            #expect(audit.findings.contains { $0.item == "policy" && $0.name == "appointments_authenticated_select" })
        }
    }

    @Test("a table without RLS, an unconstrained policy and a stray grant are each flagged by name")
    func flagsBadTables() async throws {
        try await TestDatabase.with("audit_bad", seed: false) { database in
            let connection = try await database.adminConnection()
            try await connection.execute(
                """
                create table public.leaky_notes (id uuid primary key, organization_id uuid not null, body text);
                create table public.half_locked (id uuid primary key, organization_id uuid not null);
                alter table public.half_locked enable row level security;
                alter table public.half_locked force row level security;
                create policy half_locked_anyone on public.half_locked for select to authenticated using (true);
                grant select on public.appointments to public;
                """)
            let audit = try await PolicyAudit.run(try PolicyAudit.load(root: database.root), on: connection)
            let flagged = Set(audit.problems.compactMap(\.tableName))
            #expect(flagged.contains("leaky_notes"))
            #expect(flagged.contains("half_locked"))
            #expect(flagged.contains("appointments"))
            #expect(!flagged.contains("calendar_accounts"))
        }
    }
}
