import Foundation
import PostgresClient

/// A mailbox's sync runs (`email_sync_log`) as its owner reads them.
extension EmailAccountStore {
    /// One run.
    public struct SyncLogEntry: Sendable, Hashable {
        public var id: UUID
        /// `manual`, `auto` or `webhook`.
        public var syncType: String
        /// `running`, `success`, `partial` or `failed`.
        public var status: String
        public var imported: Int
        public var updated: Int
        public var deleted: Int
        public var errors: Int
        /// The run's failures as the JSON text the log holds.
        public var errorDetailsJSON: String
        public var startedAt: Date
        public var completedAt: Date?
    }

    /// The caller's own mailbox's latest runs, newest first; `DatabaseError.notFound` when the
    /// account is not theirs.
    public func syncLog(_ id: UUID, limit: Int, for identity: Identity) async throws -> [SyncLogEntry] {
        try await self.database.session(identity) { connection in
            _ = try await Self.record(id, on: connection)
            return try await connection.query(
                """
                select l.id, l.sync_type, l.status, l.messages_imported, l.messages_updated, l.messages_deleted, l.errors,
                       l.error_details::text, l.started_at, l.completed_at
                  from public.email_sync_log l
                 where l.organization_id = private.current_org_id() and l.email_account_id = \(id)
                 order by l.started_at desc, l.id
                 limit \(limit)
                """
            ).rows.map { row in
                SyncLogEntry(
                    id: try row.decode(UUID.self, at: 0), syncType: try row.decode(String.self, at: 1),
                    status: try row.decode(String.self, at: 2), imported: try row.decode(Int.self, at: 3),
                    updated: try row.decode(Int.self, at: 4), deleted: try row.decode(Int.self, at: 5),
                    errors: try row.decode(Int.self, at: 6), errorDetailsJSON: try row.decode(String.self, at: 7),
                    startedAt: try row.decode(Date.self, at: 8), completedAt: try row.decode(Date?.self, at: 9))
            }
        }
    }
}
