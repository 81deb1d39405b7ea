import Foundation
import PostgresClient

extension EmailStore {
    /// An email account a worker now holds the lease of.
    public struct Claim: Sendable, Hashable {
        public var accountID: UUID
        public var owner: Identity
        /// As `email_accounts.provider` stores it (`gmail`, `outlook`, `apple`, `imap`).
        public var provider: String
    }

    /// Claims up to `limit` due email accounts for `worker` (as `crmsync_worker` with no
    /// identity: the function picks them with `FOR UPDATE SKIP LOCKED`).
    public func claim(worker: String, limit: Int, leaseSeconds: Int) async throws -> [Claim] {
        try await self.database.session(nil, role: .worker) { connection in
            try await connection.query(
                """
                select account_id, organization_id, user_id, provider
                from public.claim_email_accounts(\(worker), \(limit), \(leaseSeconds))
                """
            ).rows.map { row in
                Claim(
                    accountID: try row.decode(UUID.self, at: 0),
                    owner: Identity(userID: try row.decode(UUID.self, at: 2), organizationID: try row.decode(UUID.self, at: 1)),
                    provider: try row.decode(String.self, at: 3))
            }
        }
    }

    /// Extends `worker`'s lease; false when it was lost (expired and taken by another worker).
    public func renewLease(account: UUID, worker: String, leaseSeconds: Int) async throws -> Bool {
        try await self.database.session(nil, role: .worker) { connection in
            try await connection.query(
                "select public.renew_email_lease(\(account), \(worker), \(leaseSeconds))"
            ).first?.decode(Bool.self, at: 0) ?? false
        }
    }

    /// Gives `worker`'s lease up.
    public func releaseLease(account: UUID, worker: String) async throws {
        _ = try await self.database.session(nil, role: .worker) { connection in
            try await connection.query("select public.release_email_lease(\(account), \(worker))")
        }
    }
}
