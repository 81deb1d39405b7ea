import CRMSyncTestSupport
import Foundation
import CRMSyncDatabase
import PostgresClient
import Testing

@Suite("Console queries")
struct ConsoleQueryTests {
    @Test("the documented console queries run verbatim as the superuser and find the demo data")
    func consoleQueriesRun() async throws {
        try await TestDatabase.with("console") { database in
            let connection = try await database.adminConnection()
            var counts: [Int] = []
            for query in ConsoleQueries.all {
                counts.append(try await connection.execute(query.sql).count)
            }
            #expect(counts[0] > 0, "sync log rows")
            #expect(counts[1] > 0, "mapped appointments")
            let tables = try await connection.execute(ConsoleQueries.all[2].sql).rows.map { try $0.decode(String.self, at: 0) }
            #expect(Set(tables).isSuperset(of: ["calendar_accounts", "calendar_event_mappings", "calendar_sync_log"]))
            #expect(counts[3] >= 3, "calendar policies")
            #expect(counts[5] > 0, "messages with their mailboxes")
            #expect(counts[6] == 4, "the seed's mail with customer@initech.example (two per organization)")
            #expect(counts[8] >= 10, "mail policies")
        }
    }

    @Test("monitoring views answer for the superuser and, under RLS, only with the caller's organization")
    func monitoringViews() async throws {
        try await TestDatabase.with("views") { database in
            let connection = try await database.adminConnection()
            let all = try await connection.query("select count(distinct organization_id) from public.calendar_account_health")
            #expect(try all.first?.decode(Int.self, at: 0) == 2)
            let tenant = database.tenant()
            for view in [
                "calendar_account_health", "recent_sync_errors", "organization_sync_volume", "email_account_health",
                "recent_email_sync_errors", "organization_mail_volume",
            ] {
                let orgs = try await tenant.withSession(Demo.aliceAtAcme) { connection in
                    try await connection.query("select distinct organization_id from public.\(unescaped: view)")
                        .rows.map { try $0.decode(UUID.self, at: 0) }
                }
                #expect(orgs.allSatisfy { $0 == Demo.acme }, "\(view) leaks another organization")
                let none = try await tenant.withSession(nil) { connection in
                    try await connection.query("select count(*) from public.\(unescaped: view)").first?.decode(Int.self, at: 0)
                }
                #expect(none == 0, "\(view) shows rows without identity")
            }
        }
    }
}
