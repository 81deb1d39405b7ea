import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CRMSyncDatabase

/// `crmsync-bench` runs every measurement end to end and reports each figure, without leaving
/// anything behind. (What it measures is for people to read; nothing here times anything.)
@Suite("crmsync-bench")
struct BenchCommandTests {
    @Test("--json prints every figure the issue names, plausible, and the database is left as it was")
    func printsEveryFigure() async throws {
        try await TestDatabase.with("bench") { database in
            try await CommandLineRunner.withEnvironment(for: database) { environment in
                let admin = try await database.adminConnection()
                let before = try await Self.footprint(admin)

                let outcome = try await CommandLineRunner.run(
                    CommandLineRunner.benchExecutable, ["--events", "200", "--json"], environment: environment)
                #expect(outcome.status == 0, "\(outcome.output)")
                let json = try #require(outcome.output.firstIndex(of: "{").map { String(outcome.output[$0...]) }, "\(outcome.output)")
                let figures = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
                for key in [
                    "import_vs_copy_ratio", "naive_speedup", "incremental_provider_requests", "incremental_db_roundtrips",
                    "incremental_size_ratio", "e2e_events_per_second", "e2e_http_share",
                ] {
                    #expect(figures[key] is NSNumber, "\(key) missing in \(json)")
                }
                let number = { (key: String) in (figures[key] as? NSNumber)?.doubleValue ?? -1 }
                #expect(number("import_vs_copy_ratio") > 0)
                #expect(number("naive_speedup") > 0)
                // a no-change sync asks the provider once (the incremental listing) and the database
                // a bounded number of times
                #expect(number("incremental_provider_requests") == 1)
                #expect(number("incremental_db_roundtrips") >= 1 && number("incremental_db_roundtrips") < 100)
                #expect(number("incremental_size_ratio") > 0)
                #expect(number("e2e_events_per_second") > 0)
                #expect((0...1).contains(number("e2e_http_share")))
                let detail = try #require(figures["detail"] as? [String: Any])
                for key in ["update_seconds", "writes_alone_seconds", "copy_seconds", "copy_bare_seconds", "naive_seconds"] {
                    #expect(((detail[key] as? NSNumber)?.doubleValue ?? 0) > 0, "\(key) in \(json)")
                }

                // The throwaway organization is gone with everything in it, and so is the bench's
                // schema: every table of every schema holds the rows it held, no table, schema or
                // role was added. The audit trail is append-only by design (it outlives a deleted
                // organization): what it gained is the bench organization's and nobody else's.
                let after = try await Self.footprint(admin)
                #expect(after.rows.filter { $0.key != "public.audit_log" } == before.rows.filter { $0.key != "public.audit_log" })
                #expect(after.relations == before.relations, "relations added: \(after.relations.subtracting(before.relations).sorted())")
                #expect(after.schemas == before.schemas, "schemas added: \(after.schemas.subtracting(before.schemas).sorted())")
                #expect(after.roles == before.roles, "roles added: \(after.roles.subtracting(before.roles).sorted())")
                #expect(!after.schemas.contains("crmsync_bench"))
                let added = try await admin.query(
                    """
                    select count(*), count(*) filter (where organization_id is null
                                                        or organization_id in (select id from public.organizations))
                      from public.audit_log where id > \(before.lastAuditID)
                    """)
                let row = try #require(added.first)
                #expect(try row.decode(Int.self, at: 1) == 0, "the bench audited something outside its own organization")
                #expect(try row.decode(Int.self, at: 0) == (after.rows["public.audit_log"] ?? 0) - (before.rows["public.audit_log"] ?? 0))
            }
        }
    }

    @Test("too few events is refused with one line")
    func refusesTooFewEvents() async throws {
        let outcome = try await CommandLineRunner.run(CommandLineRunner.benchExecutable, ["--events", "100"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("--events must be at least 200"), "\(outcome.output)")
    }

    /// What a run could leave behind: the rows of every ordinary table outside the system
    /// schemas, the relations and schemas that exist, the cluster's roles.
    struct Footprint {
        var rows: [String: Int] = [:]
        var relations: Set<String> = []
        var schemas: Set<String> = []
        var roles: Set<String> = []
        var lastAuditID = 0
    }

    static func footprint(_ admin: PostgresConnection) async throws -> Footprint {
        var footprint = Footprint()
        let system = "('pg_catalog', 'information_schema', 'pg_toast')"
        let tables = try await admin.query(
            SQL(stringLiteral: """
                select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where c.relkind in ('r', 'p') and n.nspname not in \(system) and n.nspname not like 'pg_temp%'
                """)
        ).rows.map { try $0.decode(String.self, at: 0) }
        for table in tables {
            let count = try await admin.query(SQL(stringLiteral: "select count(*) from \(table)"))
            footprint.rows[table] = try count.first?.decode(Int.self, at: 0) ?? -1
        }
        footprint.relations = Set(
            try await admin.query(
                SQL(stringLiteral: """
                    select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                     where n.nspname not in \(system) and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'
                    """)
            ).rows.map { try $0.decode(String.self, at: 0) })
        // A session's temporary schema stays in the catalog, empty, for the next session to reuse.
        footprint.schemas = Set(
            try await admin.query(
                "select nspname::text from pg_namespace where nspname not like 'pg\\_temp\\_%' and nspname not like 'pg\\_toast\\_temp\\_%'"
            ).rows.map { try $0.decode(String.self, at: 0) })
        footprint.roles = Set(try await admin.query("select rolname::text from pg_roles").rows.map { try $0.decode(String.self, at: 0) })
        footprint.lastAuditID = try await admin.query("select coalesce(max(id), 0) from public.audit_log").first?.decode(Int.self, at: 0) ?? 0
        return footprint
    }
}
