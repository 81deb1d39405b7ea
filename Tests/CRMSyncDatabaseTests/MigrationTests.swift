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
            #expect(files.first?.name == "sql/migrations/000_extensions.sql")
            // Every migration comes before every repeatable file.
            let firstRepeatable = files.firstIndex { $0.kind == .repeatable } ?? files.endIndex
            #expect(files[..<firstRepeatable].allSatisfy { $0.kind == .migration && $0.name.hasPrefix("sql/migrations/") })
            #expect(files[firstRepeatable...].allSatisfy { $0.kind == .repeatable })
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
                    try await connection.transaction {
                        try await $0.execute("set local check_function_bodies = off")
                        try await $0.execute(file.contents)
                    }
                    try await connection.execute("reset role")
                }
            }
        }
    }

    @Test("a changed function file runs again, an unchanged one does not, and both are recorded as repeatable")
    func changedRepeatableRunsAgain() async throws {
        try await TestDatabase.with("mig_repeat", seed: false) { database in
            var files = try MigrationFile.load(root: database.root)
            let index = try #require(files.firstIndex { $0.name == "sql/functions/private.is_org_admin.sql" })
            #expect(files[index].kind == .repeatable)
            files[index].contents = files[index].contents.replacingOccurrences(
                of: "True when auth.uid() is owner or admin", with: "True when auth.uid() owns or administers")
            let connection = try await database.adminConnection()
            let report = try await MigrationGate.shared.run { try await Migrator(files: files).apply(on: connection) }
            #expect(report.applied == ["sql/functions/private.is_org_admin.sql"])
            #expect(report.unchanged == files.count - 1)
            let rows = try await connection.query(
                """
                select obj_description('private.is_org_admin()'::regprocedure, 'pg_proc'),
                       (select kind from crmsync.schema_migrations where filename = 'sql/functions/private.is_org_admin.sql')
                """)
            #expect(try rows.first?.decode(String.self, at: 0).hasPrefix("True when auth.uid() owns or administers") == true)
            #expect(try rows.first?.decode(String.self, at: 1) == "repeatable")
        }
    }

    /// The last commit whose schema used the one-folder layout (sql/NNN_*.sql, functions
    /// restated by later files), which existing databases were migrated with.
    static let oneFolderLayoutCommit = "fbbd1c77e8f6ae1899f7eff289caab4b92b99938"

    @Test("a database upgraded from the one-folder layout has the same schema as a fresh one")
    func upgradeMatchesFresh() async throws {
        let legacy = try TestDatabase.legacySchemaFiles(commit: Self.oneFolderLayoutCommit)
        #expect(legacy.contains { $0.name == "sql/303_calendar_import_plans.sql" })
        try await TestDatabase.with("mig_fresh", seed: false) { fresh in
            try await TestDatabase.with("mig_upgraded", migrate: false) { upgraded in
                let connection = try await upgraded.adminConnection()
                let current = try MigrationFile.load(root: upgraded.root)
                let report = try await MigrationGate.shared.run {
                    _ = try await Migrator(files: legacy).apply(on: connection)
                    return try await Migrator(files: current).apply(on: connection)
                }
                #expect(report.adopted.count == legacy.filter { $0.name.hasPrefix("sql/") }.count)
                #expect(report.applied.allSatisfy { !$0.hasPrefix("sql/migrations/") || $0 > "sql/migrations/304" })
                #expect(try await Migrator(files: current).pending(on: connection).isEmpty)
                let freshSchema = try fresh.schemaDump()
                let upgradedSchema = try upgraded.schemaDump()
                #expect(freshSchema.contains("CREATE FUNCTION public.import_calendar_events"))
                if freshSchema != upgradedSchema {
                    let a = freshSchema.split(separator: "\n"), b = upgradedSchema.split(separator: "\n")
                    let diff = a.difference(from: b).prefix(20).map { "\($0)" }
                    Issue.record("the schemas differ: \(diff.joined(separator: "\n"))")
                }
                // Records match the files now: one per file, named as the files are.
                let recorded = try await connection.query("select filename from crmsync.schema_migrations order by 1")
                #expect(try recorded.rows.map { try $0.decode(String.self, at: 0) } == current.map(\.name).sorted())
            }
        }
    }

    @Test("an applied file that was edited is refused, naming the file, and nothing is applied")
    func editedFileIsRefused() async throws {
        try await TestDatabase.with("mig_edit", seed: false) { database in
            var files = try MigrationFile.load(root: database.root)
            let index = try #require(files.firstIndex { $0.name == "sql/migrations/050_organizations.sql" })
            files[index].contents += "\n-- edited after apply\n"
            files.append(MigrationFile(name: "sql/migrations/999_new.sql", contents: "create table public.should_not_exist (id int);"))
            let connection = try await database.adminConnection()
            do {
                _ = try await Migrator(files: files).apply(on: connection)
                Issue.record("an edited migration was accepted")
            } catch let error as MigrationError {
                #expect("\(error)".contains("sql/migrations/050_organizations.sql was changed after it was applied"))
            }
            let exists = try await connection.query("select to_regclass('public.should_not_exist') is null")
            #expect(try exists.first?.decode(Bool.self, at: 0) == true)
            #expect(try await Migrator(files: files).pending(on: connection) == ["sql/migrations/050_organizations.sql", "sql/migrations/999_new.sql"])
        }
    }

    @Test("an invalid index on a crmsync table (a failed concurrent build) is refused before any file runs")
    func invalidIndexIsRefused() async throws {
        try await TestDatabase.with("mig_invalid_index", seed: false) { database in
            var files = try MigrationFile.load(root: database.root)
            files.append(MigrationFile(name: "sql/migrations/999_new.sql", contents: "create table public.should_not_exist (id int);"))
            let connection = try await database.adminConnection()
            try await connection.execute("insert into public.organizations (name) values ('twin'), ('twin')")
            // a unique index over duplicates: the concurrent build fails and leaves the index invalid
            await #expect(throws: PostgresError.self) {
                try await connection.execute("create unique index concurrently organizations_name_probe on public.organizations (name)")
            }
            let error = await #expect(throws: MigrationError.self) { try await Migrator(files: files).apply(on: connection) }
            #expect(error.map { "\($0)" }?.contains("index organizations_name_probe on organizations is invalid") == true)
            let exists = try await connection.query("select to_regclass('public.should_not_exist') is null")
            #expect(try exists.first?.decode(Bool.self, at: 0) == true)
            try await connection.execute("drop index concurrently public.organizations_name_probe")
            let report = try await MigrationGate.shared.run { try await Migrator(files: files).apply(on: connection) }
            #expect(report.applied == ["sql/migrations/999_new.sql"])
        }
    }

    @Test("a failing file is rolled back whole and reported with its name")
    func failingFileRollsBack() async throws {
        try await TestDatabase.with("mig_fail", seed: false) { database in
            let broken = MigrationFile(
                name: "sql/migrations/998_broken.sql",
                contents: "create table public.half_done (id int); select no_such_function();")
            let connection = try await database.adminConnection()
            await #expect(throws: MigrationError.self) { try await Migrator(files: [broken]).apply(on: connection) }
            let rows = try await connection.query(
                "select to_regclass('public.half_done') is null, (select count(*) from crmsync.schema_migrations where filename = 'sql/migrations/998_broken.sql')")
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
            // Every tenant table's keys are listed, and every one includes organization_id.
            let keys = audit.findings.filter { $0.item == "key" }
            #expect(keys.contains { $0.tableName == "calendar_event_mappings" && $0.command == "foreign key" })
            #expect(Set(keys.compactMap(\.tableName)).isSuperset(of: ["appointments", "email_messages", "calendar_accounts"]))
        }
    }

    @Test("a key of a tenant table without organization_id is flagged: the table could not be sharded")
    func flagsKeysWithoutOrganization() async throws {
        try await TestDatabase.with("audit_keys", seed: false) { database in
            let connection = try await database.adminConnection()
            try await connection.execute(
                """
                set role crmsync_owner; -- as every migration creates crmsync's tables
                create table public.unshardable (id uuid primary key, organization_id uuid not null, code text unique);
                alter table public.unshardable enable row level security;
                alter table public.unshardable force row level security;
                create unique index unshardable_code_per_org on public.unshardable (organization_id, code);
                reset role;
                """)
            let audit = try await PolicyAudit.run(try PolicyAudit.load(root: database.root), on: connection)
            let flagged = audit.problems.filter { $0.tableName == "unshardable" && $0.item == "key" }
            #expect(Set(flagged.compactMap(\.command)) == ["primary key", "unique"])
            #expect(audit.findings.contains { $0.name == "unshardable_code_per_org" && $0.problem == nil })
            #expect(!audit.problems.contains { $0.item == "key" && $0.tableName != "unshardable" })
        }
    }

    @Test("a table without RLS, an unconstrained policy and a stray grant are each flagged by name")
    func flagsBadTables() async throws {
        try await TestDatabase.with("audit_bad", seed: false) { database in
            let connection = try await database.adminConnection()
            try await connection.execute(
                """
                set role crmsync_owner; -- as every migration creates crmsync's tables
                create table public.leaky_notes (id uuid primary key, organization_id uuid not null, body text);
                create table public.half_locked (id uuid primary key, organization_id uuid not null);
                alter table public.half_locked enable row level security;
                alter table public.half_locked force row level security;
                create policy half_locked_anyone on public.half_locked for select to authenticated using (true);
                grant select on public.appointments to public;
                reset role;
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
