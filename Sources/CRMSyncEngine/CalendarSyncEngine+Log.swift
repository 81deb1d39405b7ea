import CRMSyncDatabase
import Foundation
import PostgresClient

extension CalendarSyncEngine {
    /// Ends the run's `calendar_sync_log` row and stores (or clears) the cursor, in one call;
    /// a failed run makes the SQL function back the account off.
    func finish(logID: UUID, owner: Identity, run: SyncRun, report: SyncReport) async throws {
        let details = try PostgresJSON(encoding: report.errors)
        let clearCursor = run.failure != nil && run.cursorExpired
        _ = try await self.database.withSession(owner, role: .worker) { connection in
            try await connection.query(
                """
                select public.finish_calendar_sync(
                  \(logID), \(report.status.rawValue), \(report.counts.imported), \(report.counts.exported),
                  \(report.counts.updated), \(report.counts.deleted), \(report.counts.errors), \(details)::jsonb,
                  \(run.nextCursor?.value), \(clearCursor))
                """)
        }
    }

    /// Records that the provider refused the OAuth client the account uses (for the operator);
    /// true when this is the first report since the client was last set.
    func reportClientRejected(account: SyncAccount, reason: String) async throws -> Bool {
        try await self.database.withSession(account.owner, role: .worker) { connection in
            try await connection.query("select public.report_oauth_client_rejected(\(account.id), \(reason))")
                .first?.decode(Bool.self, at: 0) ?? false
        }
    }

    /// Marks the account as needing the person to connect it again.
    func markReconnect(account: SyncAccount, reason: String) async throws {
        _ = try await self.database.withSession(account.owner, role: .worker) { connection in
            try await connection.query("select public.mark_calendar_account_reauth(\(account.id), \(reason))")
        }
    }
}
