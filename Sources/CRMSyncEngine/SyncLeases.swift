import CRMSyncDatabase
import Foundation

/// The scheduling leases of one worker (`SyncStore`). Claims run as `crmsync_worker` with no
/// identity (the function picks due accounts with `FOR UPDATE SKIP LOCKED`); the sync of a
/// claimed account then runs under its owner's identity.
public struct SyncLeases: Sendable {
    /// The database.
    public var database: TenantDatabase
    /// This worker's name, as `calendar_accounts.lease_owner` records it.
    public var worker: String
    /// How long a lease lasts unless renewed (at least 10 seconds).
    public var leaseSeconds: Int

    /// Creates the lease handle of one worker.
    public init(database: TenantDatabase, worker: String, leaseSeconds: Int = BackgroundSettings.defaultLeaseSeconds) {
        self.database = database
        self.worker = worker
        self.leaseSeconds = max(10, leaseSeconds)
    }

    /// Claims up to `limit` due accounts.
    public func claim(limit: Int) async throws -> [ClaimedAccount] {
        try await SyncStore(database: self.database).claim(worker: self.worker, limit: limit, leaseSeconds: self.leaseSeconds)
            .map(ClaimedAccount.init)
    }

    /// Extends the lease; false when it was lost (expired and taken by another worker).
    public func renew(_ account: UUID) async throws -> Bool {
        try await SyncStore(database: self.database).renewLease(account: account, worker: self.worker, leaseSeconds: self.leaseSeconds)
    }

    /// How long until the earliest lease of a due account runs out; nil when none is leased.
    public func nextExpiry() async throws -> Duration? {
        try await SyncStore(database: self.database).nextLeaseExpiry()
    }

    /// Gives the lease up.
    public func release(_ account: UUID) async throws {
        try await SyncStore(database: self.database).releaseLease(account: account, worker: self.worker)
    }
}
