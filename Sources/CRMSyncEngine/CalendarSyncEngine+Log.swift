import CRMSyncDatabase
import Foundation

extension CalendarSyncEngine {
    /// Ends the run's `calendar_sync_log` row and stores (or clears) the cursor, in one call;
    /// a failed run makes the SQL function back the account off.
    func finish(logID: UUID, owner: Identity, run: SyncRun, report: SyncReport) async throws {
        let finish = SyncStore.Finish(
            status: report.status.rawValue, imported: report.counts.imported, exported: report.counts.exported,
            updated: report.counts.updated, deleted: report.counts.deleted, errors: report.counts.errors,
            nextCursor: run.nextCursor?.value, clearCursor: run.failure != nil && run.cursorExpired)
        try await self.store.finish(log: logID, finish, details: report.errors, as: owner)
    }

    /// Stores the run's counts so far on its log row (after each imported page and exported
    /// batch): a run whose worker dies, or whose database goes away, keeps what it did there.
    func recordProgress(_ run: SyncRun, owner: Identity) async throws {
        guard let logID = run.logID else { return }
        let counts = run.counts
        try await self.store.recordProgress(
            log: logID, imported: counts.imported, exported: counts.exported, updated: counts.updated, deleted: counts.deleted,
            errors: counts.errors, as: owner)
    }

    /// Records that the provider refused the OAuth client the account uses (for the operator);
    /// true when this is the first report since the client was last set.
    func reportClientRejected(account: SyncAccount, reason: String) async throws -> Bool {
        try await self.store.reportClientRejected(account: account.id, reason: reason, as: account.owner)
    }

    /// Marks the account as needing the person to connect it again.
    func markReconnect(account: SyncAccount, reason: String) async throws {
        try await self.store.markReconnect(account: account.id, reason: reason, as: account.owner)
    }
}
