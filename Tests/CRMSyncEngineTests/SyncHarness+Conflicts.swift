import CRMSyncTestSupport
import Foundation
import PostgresClient

extension SyncHarness {
    /// The account's unresolved conflicts.
    func openConflicts() async throws -> [UUID] {
        let rows = try await self.admin().query(
            "select id from public.calendar_conflicts where calendar_account_id = \(self.account) and resolved_at is null")
        return try rows.rows.map { try $0.decode(UUID.self, at: 0) }
    }

    /// A person settles a conflict (`keep_crm` or `keep_calendar`) through the SQL function.
    func resolve(_ conflict: UUID, keep: String) async throws {
        try await self.tenant.withSession(self.owner) { connection in
            try await connection.query("select public.resolve_calendar_conflict(\(conflict), \(keep))")
        }
    }
}
