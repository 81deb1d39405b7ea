import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CRMSyncDatabase

/// `crmsync bench` runs every measurement end to end and reports each figure, without leaving
/// anything behind. (What it measures is for people to read; nothing here times anything.)
@Suite("crmsync bench")
struct BenchCommandTests {
    @Test("--json prints every figure the issue names, plausible, and the database is left as it was")
    func printsEveryFigure() async throws {
        try await TestDatabase.with("bench") { database in
            try await CommandLineRunner.withEnvironment(for: database) { environment in
                let admin = try await database.adminConnection()
                let before = try await Self.rowCounts(admin)

                let outcome = try await CommandLineRunner.run(["bench", "--events", "200", "--json"], environment: environment)
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

                // the throwaway organization is gone, with everything in it; nothing else changed
                #expect(try await Self.rowCounts(admin) == before)
                let leftovers = try await admin.query("select count(*) from pg_catalog.pg_tables where tablename like 'bench\\_%'")
                #expect(try leftovers.first?.decode(Int.self, at: 0) == 0)
            }
        }
    }

    @Test("too few events is refused with one line")
    func refusesTooFewEvents() async throws {
        let outcome = try await CommandLineRunner.run(["bench", "--events", "100"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("--events must be at least 200"), "\(outcome.output)")
    }

    static func rowCounts(_ admin: PostgresConnection) async throws -> [Int] {
        let rows = try await admin.query(
            """
            select (select count(*) from public.organizations), (select count(*) from public.user_organizations),
                   (select count(*) from public.calendar_accounts), (select count(*) from public.appointments),
                   (select count(*) from public.calendar_event_mappings), (select count(*) from public.calendar_sync_log)
            """)
        let row = try #require(rows.first)
        return try (0..<6).map { try row.decode(Int.self, at: $0) }
    }
}
