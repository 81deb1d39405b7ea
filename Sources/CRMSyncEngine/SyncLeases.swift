import CRMSyncDatabase
import Foundation
import PostgresClient

/// The scheduling leases, through the SQL functions. Claims run as `crmsync_worker` with no
/// identity (the function picks due accounts with `FOR UPDATE SKIP LOCKED`); the sync of a
/// claimed account then runs under its owner's identity.
public struct SyncLeases: Sendable {
    /// The database.
    public var database: TenantDatabase
    /// This worker's name, as `calendar_accounts.lease_owner` records it.
    public var worker: String
    /// How long a lease lasts unless renewed.
    public var leaseSeconds: Int

    /// Creates the lease handle of one worker.
    public init(database: TenantDatabase, worker: String, leaseSeconds: Int = 300) {
        self.database = database
        self.worker = worker
        self.leaseSeconds = max(10, leaseSeconds)
    }

    /// Claims up to `limit` due accounts.
    public func claim(limit: Int) async throws -> [ClaimedAccount] {
        try await self.database.withSession(nil, role: .worker) { connection in
            try await connection.query(
                """
                select account_id, organization_id, user_id, provider
                from public.claim_calendar_accounts(\(self.worker), \(limit), \(self.leaseSeconds))
                """
            ).rows.map(ClaimedAccount.init(row:))
        }
    }

    /// Extends the lease; false when it was lost (expired and taken by another worker).
    public func renew(_ account: UUID) async throws -> Bool {
        try await self.database.withSession(nil, role: .worker) { connection in
            try await connection.query(
                "select public.renew_calendar_lease(\(account), \(self.worker), \(self.leaseSeconds))"
            ).first?.decode(Bool.self, at: 0) ?? false
        }
    }

    /// Gives the lease up.
    public func release(_ account: UUID) async throws {
        try await self.database.withSession(nil, role: .worker) { connection in
            try await connection.query("select public.release_calendar_lease(\(account), \(self.worker))")
        }
    }
}
