import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// The engine runs as the account's owner: handed another tenant's ids it can write nothing.
@Suite("tenancy inside the engine")
struct TenancyTests {
    @Test("a sync as user A of user B's account is refused and writes nothing in B's organization")
    func foreignAccount() async throws {
        try await TestDatabase.with("sync_tenancy") { database in
            try await Sandbox.run { sandbox in
                let alice = try await SyncHarness.connect(database, sandbox: sandbox, provider: .google, strategy: "manual", pageSize: 50)
                let gina = try await SyncHarness.connect(
                    database, sandbox: sandbox, provider: .google, strategy: "manual", pageSize: 50, organization: Demo.globex)
                try await gina.createAppointment(.timed("Globex secret", day: 2, hour: 9))
                try await alice.createEvent(.timed("Alice's event", day: 2, hour: 9))
                let admin = try await database.adminConnection()
                let before = try await Self.globexFootprint(admin)

                await #expect(throws: SyncError.self) {
                    try await alice.engine.sync(account: gina.account, as: alice.owner)
                }
                // The SQL functions themselves, called in A's worker session with B's account id.
                let events = PostgresJSON(text: #"[{"id":"intruder","status":"confirmed","title":"x","all_day":false,"start":"2030-01-01T10:00:00Z","end":"2030-01-01T11:00:00Z","time_zone":"UTC"}]"#)
                for statement: SQL in [
                    "select * from public.import_calendar_events(\(gina.account), \(events)::jsonb)",
                    "select * from public.calendar_export_batch(\(gina.account), 10)",
                    "select public.start_calendar_sync(\(gina.account), 'manual', 'bidirectional')",
                ] {
                    _ = try? await alice.tenant.withSession(alice.owner, role: .worker) { connection in
                        try await connection.query(statement)
                    }
                }
                // And an owner identity claiming Globex while being Alice.
                let forged = Identity(userID: alice.owner.userID, organizationID: Demo.globex)
                _ = try? await alice.engine.sync(account: gina.account, as: forged)
                #expect(try await Self.globexFootprint(admin) == before)
                // Alice's own sync still works and leaves Globex alone.
                try await alice.sync(expect: .success)
                #expect(try await Self.globexFootprint(admin) == before)
            }
        }
    }

    /// Everything sync could write in Globex, counted behind row-level security.
    static func globexFootprint(_ admin: PostgresConnection) async throws -> [Int] {
        var counts: [Int] = []
        for table in ["appointments", "calendar_event_mappings", "calendar_sync_log", "calendar_conflicts"] {
            let row = try await admin.query(
                "select count(*), coalesce(sum(hashtext(t::text)), 0)::bigint from public.\(unescaped: table) t where organization_id = \(Demo.globex)"
            ).first
            counts.append(try row?.decode(Int.self, at: 0) ?? -1)
            counts.append(Int(try row?.decode(Int64.self, at: 1) ?? -1))
        }
        let account = try await admin.query(
            "select coalesce(sum(hashtext(concat(sync_cursor, connection_status, next_sync_at, last_sync_at))), 0)::bigint from public.calendar_accounts where organization_id = \(Demo.globex)"
        ).first
        counts.append(Int(try account?.decode(Int64.self, at: 0) ?? -1))
        return counts
    }
}
