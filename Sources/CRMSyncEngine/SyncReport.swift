import Foundation

/// The result of one sync run, as logged in `calendar_sync_log`.
public struct SyncReport: Sendable {
    /// How a run ended.
    public enum Status: String, Sendable {
        /// Everything went through.
        case success
        /// The run completed but some events or appointments failed.
        case partial
        /// The run stopped early (dead grant, provider unavailable, database error).
        case failed
    }

    /// The account synced.
    public var accountID: UUID
    /// The `calendar_sync_log` row.
    public var logID: UUID?
    /// How the run ended.
    public var status: Status
    /// What changed.
    public var counts: SyncCounts
    /// Each failure, in order.
    public var errors: [SyncErrorDetail]
    /// Why the run failed, when it did.
    public var failure: String?
    /// True when the run listed the whole window (first sync, `--full`, or expired cursor).
    public var fullListing: Bool
    /// Listing pages fetched.
    public var pages: Int
    /// True when the account was marked as needing reconnection.
    public var needsReconnect: Bool
    /// True when the provider refused crmsync's OAuth client (an operator must register a
    /// working one); the account keeps its state.
    public var oauthClientRejected: Bool = false
}
