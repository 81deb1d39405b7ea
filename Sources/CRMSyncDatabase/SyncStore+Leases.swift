import Foundation
import PostgresClient

extension SyncStore {
    /// An account a worker now holds the lease of.
    public struct Claim: Sendable, Hashable {
        public var accountID: UUID
        public var owner: Identity
        /// As `calendar_accounts.provider` stores it (`google`, `outlook`).
        public var provider: String
        /// What made the account due, as `calendar_sync_log.sync_type` records it: `webhook`
        /// (a pending request a webhook made), `manual` (any other request), `auto` (schedule).
        public var trigger: String
    }

    /// Claims up to `limit` due accounts for `worker` (as `crmsync_worker` with no identity:
    /// the function picks them with `FOR UPDATE SKIP LOCKED`).
    public func claim(worker: String, limit: Int, leaseSeconds: Int) async throws -> [Claim] {
        try await self.database.session(nil, role: .worker) { connection in
            try await connection.query(
                """
                select account_id, organization_id, user_id, provider, sync_trigger
                from public.claim_calendar_accounts(\(worker), \(limit), \(leaseSeconds))
                """
            ).rows.map { row in
                Claim(
                    accountID: try row.decode(UUID.self, at: 0),
                    owner: Identity(userID: try row.decode(UUID.self, at: 2), organizationID: try row.decode(UUID.self, at: 1)),
                    provider: try row.decode(String.self, at: 3), trigger: try row.decode(String.self, at: 4))
            }
        }
    }

    /// Extends `worker`'s lease; false when it was lost (expired and taken by another worker).
    public func renewLease(account: UUID, worker: String, leaseSeconds: Int) async throws -> Bool {
        try await self.database.session(nil, role: .worker) { connection in
            try await connection.query(
                "select public.renew_calendar_lease(\(account), \(worker), \(leaseSeconds))"
            ).first?.decode(Bool.self, at: 0) ?? false
        }
    }

    /// How long until the earliest lease of a due account runs out (on the database's clock);
    /// nil when no due account is leased. An idle worker waits no longer than that.
    public func nextLeaseExpiry() async throws -> Duration? {
        try await self.database.session(nil, role: .worker) { connection in
            try await connection.query("select public.calendar_next_lease_expiry()").first?.decode(Double?.self, at: 0)
                .map { Duration.milliseconds(Int64((max(0, $0) * 1000).rounded(.up))) }
        }
    }

    /// Gives `worker`'s lease up.
    public func releaseLease(account: UUID, worker: String) async throws {
        _ = try await self.database.session(nil, role: .worker) { connection in
            try await connection.query("select public.release_calendar_lease(\(account), \(worker))")
        }
    }

    /// The text form of a timestamp in the JSON the sync functions read (ISO 8601, UTC,
    /// microseconds: Postgres's own precision).
    public static func timestamp(_ date: Date) -> String {
        date.postgresText ?? ""
    }
}
