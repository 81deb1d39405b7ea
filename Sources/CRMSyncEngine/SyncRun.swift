import CRMSyncProviders
import Foundation

/// The state of one run while it goes: counts, failures, the cursor to store.
struct SyncRun: Sendable {
    var full: Bool
    /// The run's `calendar_sync_log` row, where its counts are recorded as it goes.
    var logID: UUID?
    var counts = SyncCounts()
    var errors: [SyncErrorDetail] = []
    var pages = 0
    var exportBatches = 0
    var nextCursor: SyncCursor?
    /// True once the stored cursor has been found expired: a failed run then clears it.
    var cursorExpired = false
    var failure: String?
    var reconnectReason: String?
    /// The provider refused the OAuth client itself: the operator's problem, the account
    /// keeps its state.
    var clientRejectedReason: String?

    init(full: Bool) {
        self.full = full
    }

    /// Records one failed event or appointment; the run goes on.
    mutating func record(_ detail: SyncErrorDetail) {
        self.counts.errors += 1
        self.errors.append(detail)
    }

    /// Records the error that ended the run.
    mutating func fail(_ error: any Error) {
        let message: String
        switch error {
        case let error as ProviderError:
            message = error.description
            switch error {
            case .reconnectRequired(let reason): self.reconnectReason = reason
            case .unauthorized: self.reconnectReason = "unauthorized"
            case .clientRejected(let reason): self.clientRejectedReason = reason
            default: break
            }
        case let error as SyncError:
            message = error.description
            if case .notConnected = error { self.reconnectReason = "not connected" }
        case is CancellationError:
            message = "the run was interrupted"
        default:
            message = "\(error)"
        }
        self.failure = message
        self.nextCursor = nil
        // The error that ended the run counts like any other (the log shows errors ≥ 1).
        self.counts.errors += 1
        self.errors.append(SyncErrorDetail(phase: "run", message: message))
    }

    var status: SyncReport.Status {
        if self.failure != nil { return .failed }
        return self.counts.errors > 0 ? .partial : .success
    }

    func report(account: UUID, logID: UUID?) -> SyncReport {
        SyncReport(
            accountID: account, logID: logID, status: self.status, counts: self.counts, errors: self.errors,
            failure: self.failure, fullListing: self.full, pages: self.pages, needsReconnect: self.reconnectReason != nil,
            oauthClientRejected: self.clientRejectedReason != nil)
    }
}
