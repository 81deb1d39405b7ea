import CRMSyncTestSupport
import CRMSyncDatabase
import Foundation
import PostgresClient
import Testing

/// The adversarial tenancy matrix: every table × SELECT,
/// INSERT, UPDATE, DELETE × another organization's member and owner, the same organization's
/// other member, the org owner, no identity, forged identities and the worker role; plus every
/// secret function, private helper and monitoring view as the wrong actor, and the super admin.
///
/// Each case runs in its own `withSession` transaction as `crmsync_app`. Allowed cases must
/// return/affect exactly the expected rows and are rolled back; refused cases must return or
/// affect zero rows (and are committed, so a leak would persist) or fail with 42501. After
/// every case a superuser checksum of every table must be unchanged.
///
/// This file holds the harness (runner, judge, checksums), the coverage check and the
/// schema-wide checks; each table's cases and test are in TenancyMatrix+<Table>.swift, the
/// actors, outcomes and fixed ids in TenancyMatrix+Cases.swift.
@Suite("Tenancy matrix")
struct TenancyMatrixTests {
    // MARK: the runner

    /// Runs every case against one scratch database and checks the outcome and that nothing
    /// changed. Returns the number of cases run.
    @discardableResult
    static func run(_ cases: [MatrixCase], on database: TestDatabase) async throws -> Int {
        let tenant = database.tenant(maxConnections: 1)
        let admin = try await database.adminConnection()
        for matrixCase in cases {
            let before = try await Self.checksums(admin)
            let observed = await Self.observe(matrixCase, tenant: tenant)
            Self.judge(matrixCase, observed)
            let after = try await Self.checksums(admin)
            for (table, sum) in before where after[table] != sum {
                Issue.record("\(matrixCase): \(table) changed (refused cases must leave every table as it was)")
            }
        }
        return cases.count
    }

    enum Observed: Sendable {
        case count(Int, firstValue: String?)
        case error(PostgresError)
        case other(any Error)
    }

    /// Thrown inside the session to roll an allowed case back after observing it.
    struct RollBack: Error { var observed: Observed }

    static func observe(_ matrixCase: MatrixCase, tenant: TenantDatabase) async -> Observed {
        do {
            return try await tenant.withSession(matrixCase.actor.identity, role: matrixCase.actor.role, secrets: true) {
                connection in
                for statement in matrixCase.prelude { try await connection.query(statement) }
                let result = try await connection.query(matrixCase.sql)
                let count = result.columns.isEmpty ? result.affectedRows : result.count
                let first = result.first?.values.first ?? nil
                let observed = Observed.count(count, firstValue: first)
                // Allowed cases are undone; refused ones commit, so anything they did would show.
                if matrixCase.outcome.isAllowed { throw RollBack(observed: observed) }
                return observed
            }
        } catch let rollBack as RollBack {
            return rollBack.observed
        } catch let error as PostgresError {
            return .error(error)
        } catch {
            return .other(error)
        }
    }

    static func judge(_ matrixCase: MatrixCase, _ observed: Observed) {
        let label = "\(matrixCase) [expected \(matrixCase.outcome)]"
        switch (matrixCase.outcome, observed) {
        case (.rows(let expected), .count(let count, _)):
            #expect(count == expected, "\(label): got \(count) row(s)")
        case (.value(let expected), .count(let count, let value)):
            #expect(count == 1 && value == expected, "\(label): got \(count) row(s), value \(value ?? "NULL")")
        case (.noRows, .count(let count, let value)):
            #expect(count == 0, "\(label): LEAK — got \(count) row(s), first value \(value ?? "NULL")")
        case (.denied, .error(let error)):
            let refused = error.code == .insufficientPrivilege || error.code == .withCheckOptionViolation
                || error.message.contains("row-level security policy")
            #expect(refused, "\(label): got \(error.debugDescription)")
        case (.failsWith(let code), .error(let error)):
            #expect(error.code?.rawValue == code, "\(label): got \(error.debugDescription)")
        case (_, .count(let count, let value)):
            Issue.record("\(label): ALLOWED — got \(count) row(s), first value \(value ?? "NULL")")
        case (_, .error(let error)):
            Issue.record("\(label): got \(error.debugDescription)")
        case (_, .other(let error)):
            Issue.record("\(label): got \(error)")
        }
    }

    /// md5 of every row of every table the matrix touches, read as the superuser.
    static func checksums(_ admin: PostgresConnection) async throws -> [String: String] {
        let tables = tenancyMatrixTables.map { "public.\($0)" } + ["private.super_admins"]
        let query = tables.map {
            "select '\($0)', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from \($0) t"
        }.joined(separator: " union all ")
        let rows = try await admin.query(SQL(stringLiteral: query))
        var sums: [String: String] = [:]
        for row in rows.rows { sums[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1) }
        return sums
    }

    static func caseCount(_ cases: [MatrixCase], table: String) -> Int {
        cases.filter { $0.table == table }.count
    }

    // MARK: the tests

    static var allTableCases: [MatrixCase] {
        Self.organizationCases + Self.membershipCases + Self.appointmentCases + Self.calendarAccountCases
            + Self.emailAccountCases + Self.mappingCases + Self.syncLogCases + Self.conflictCases + Self.messageCases
            + Self.attachmentCases + Self.oauthSecretCases + Self.auditLogCases + Self.pushChannelCases
            + Self.connectStateCases + Self.emailFolderCases + Self.emailLocationCases + Self.emailSyncLogCases
            + Self.emailOutboxCases + Self.mailTierCases
    }

    @Test("the matrix covers every table × SELECT/INSERT/UPDATE/DELETE × outsider, member, owner, nobody, forged, worker")
    func coverage() {
        let cases = Self.allTableCases
        for table in tenancyMatrixTables {
            for command in [MatrixCommand.select, .insert, .update, .delete] {
                let cell = cases.filter { $0.table == table && $0.command == command }
                #expect(cell.contains { !$0.outcome.isAllowed }, "\(table)/\(command.rawValue): no refused case")
                let actors = Set(cell.map(\.actor.name))
                #expect(actors.contains(MatrixActor.hank.name) || actors.contains(MatrixActor.workerHank.name),
                        "\(table)/\(command.rawValue): no other-organization actor")
                #expect(actors.contains(MatrixActor.nobody.name) || actors.contains(MatrixActor.workerNobody.name)
                            || actors.contains(MatrixActor.workerAlice.name),
                        "\(table)/\(command.rawValue): no no-identity (or worker) actor")
            }
            let actors = Set(cases.filter { $0.table == table }.map(\.actor.name))
            for required in [MatrixActor.hank, .bob, .alice, .nobody, .hankForgingAcme] {
                #expect(actors.contains(required.name), "\(table): no case for \(required)")
            }
            #expect(actors.contains { $0.hasPrefix("worker:") }, "\(table): no case for the worker role")
        }
    }

    @Test("every table has cases and forced RLS; even the superuser can neither move a row nor change the audit log")
    func schemaAndSuperuser() async throws {
        try await TestDatabase.with("tm_schema") { database in
            let admin = try await database.adminConnection()

            // The matrix's table list is the live schema's: a new table must get cases.
            let live = try await admin.query(
                """
                select c.relname::text from pg_class c
                 where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
                   and c.relname <> 'schema_migrations' order by 1
                """
            ).rows.map { try $0.decode(String.self, at: 0) }
            #expect(Set(live).subtracting(tenancyMatrixTables).isEmpty,
                    "tables without tenancy-matrix cases: \(Set(live).subtracting(tenancyMatrixTables).sorted())")
            let forced = try await admin.query(
                """
                select c.relname::text from pg_class c
                 where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
                   and c.relrowsecurity and c.relforcerowsecurity
                """
            ).rows.map { try $0.decode(String.self, at: 0) }
            #expect(Set(tenancyMatrixTables).isSubset(of: Set(forced)), "RLS not enabled+forced on every matrix table")

            // oauth_secrets: invisible to every client role (TenancyMatrix+OAuthSecrets), visible to the superuser.
            let clients = try await admin.query("select count(*) from public.oauth_secrets").first?.decode(Int.self, at: 0)
            #expect(clients == 3, "the superuser sees the seed's three OAuth clients")

            // No row moves to another organization, whoever asks; audit_log is append-only.
            // (The seed has no calendar conflicts: give the attempt on calendar_conflicts rows to move.)
            try await Self.insertConflicts(admin)
            try await Self.insertPushChannels(admin)
            try await Self.insertConnectStates(database)
            try await Self.insertMailFixtures(admin)
            let before = try await Self.checksums(admin)
            var attempts: [(String, String)] = [
                ("organizations", "update public.organizations set id = gen_random_uuid() where id = '\(Demo.acme)'"),
                ("oauth_secrets",
                 "update public.oauth_secrets set organization_id = '\(Demo.acme)' where organization_id = '\(Demo.globex)'"),
                ("audit_log", "update public.audit_log set action = 'nothing'"),
                ("audit_log", "delete from public.audit_log"),
                ("audit_log", "truncate public.audit_log"),
            ]
            for table in tenancyMatrixTables where !["organizations", "oauth_secrets", "audit_log"].contains(table) {
                attempts.append((table,
                    "update public.\(table) set organization_id = '\(Demo.globex)' where organization_id = '\(Demo.acme)'"))
            }
            for (table, statement) in attempts {
                do {
                    try await admin.execute(statement)
                    Issue.record("superuser: \(statement) succeeded")
                } catch let error as PostgresError {
                    #expect(error.code == .insufficientPrivilege, "superuser \(table): \(error.debugDescription)")
                }
            }
            #expect(try await Self.checksums(admin) == before, "a superuser statement changed a table")
        }
    }
}
