import Foundation
import PostgresClient

/// The buffers one `claim_calendar_accounts` call reads (`EXPLAIN (ANALYZE, BUFFERS)` of the
/// call, in a transaction rolled back, its plans already cached): with no account due, and
/// with one of the bench's accounts due.
///
/// The statistics are those of a running database: taken while the accounts were due (the
/// planner then believes every account is due, as it does of any statistics of next_sync_at
/// once the clock has passed the times they hold), every account synced and rescheduled since.
enum ClaimBuffers {
    static func measure(organizations: [UUID], admin: PostgresConnection) async throws -> (noneDue: Int, oneDue: Int, accounts: Int) {
        let count = try await admin.query("select count(*) from public.calendar_accounts")
        let accounts = try count.first?.decode(Int.self, at: 0) ?? 0
        try await admin.query(
            "update public.calendar_accounts set next_sync_at = now() - interval '1 minute' where organization_id = any(\(organizations))")
        try await admin.execute("analyze public.calendar_accounts")
        try await admin.query(
            "update public.calendar_accounts set next_sync_at = now() + interval '5 minutes' where organization_id = any(\(organizations))")
        // the first call in a session plans the function's statements (catalog reads) and meets
        // the versions that stopped being due: not counted
        _ = try await self.claim(admin: admin, due: nil)
        let noneDue = try await self.claim(admin: admin, due: nil)
        let oneDue = try await self.claim(admin: admin, due: organizations[0])
        return (noneDue, oneDue, accounts)
    }

    private static func claim(admin: PostgresConnection, due organization: UUID?) async throws -> Int {
        try await admin.execute("begin")
        do {
            if let organization {
                try await admin.query(
                    """
                    update public.calendar_accounts set next_sync_at = now() - interval '1 second'
                     where organization_id = \(organization)
                       and id = (select min(id::text)::uuid from public.calendar_accounts where organization_id = \(organization))
                    """)
            }
            let rows = try await admin.execute(
                "explain (analyze, buffers, format json) select * from public.claim_calendar_accounts('crmsync-bench-probe', 1, 60)")
            _ = try? await admin.execute("rollback")
            guard let text = rows.first?.values.first ?? nil,
                let plans = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]],
                let plan = plans.first?["Plan"] as? [String: Any]
            else { throw BenchmarkError("the claim's plan could not be read") }
            return ((plan["Shared Hit Blocks"] as? Int) ?? 0) + ((plan["Shared Read Blocks"] as? Int) ?? 0)
        } catch {
            _ = try? await admin.execute("rollback")
            throw error
        }
    }
}
