import Foundation
import PostgresClient

/// The caller's own accounts as the API shows them: settings, status, the sync log. Every
/// call runs in the caller's session; an account that is not theirs (another user's, another
/// organization's) is `DatabaseError.notFound`, and so is a disconnected one: it is gone from
/// the API (its row, sync log and audit stay in the database) until it is connected again.
extension CalendarAccountStore {
    /// One account's row: settings and status, never a token, a cursor or a worker's name.
    public struct Record: Sendable, Hashable {
        public var id: UUID
        /// As stored (`google`, `outlook`).
        public var provider: String
        public var email: String
        public var calendarID: String
        public var timeZone: String
        public var syncEnabled: Bool
        public var conflictStrategy: String
        /// `pending`, `connected`, `needs_reauth`, `disconnected` or `error`.
        public var connectionStatus: String
        /// A worker holds a live lease on it.
        public var syncing: Bool
        /// A sync was requested and has not started.
        public var syncPending: Bool
        public var lastSyncAt: Date?
        public var lastSyncStatus: String?
        public var lastError: String?
        public var nextSyncAt: Date?
        public var createdAt: Date

        /// The columns `init(row:)` reads (public for the benchmark, which times this list).
        public static let columns = """
            a.id, a.provider, a.email, a.calendar_id, a.time_zone, a.sync_enabled, a.conflict_strategy,
            a.connection_status, coalesce(a.lease_expires_at > now(), false) as syncing, a.sync_requested_at is not null as pending,
            a.last_sync_at, a.last_sync_status, a.last_error, a.next_sync_at, a.created_at
            """

        init(row: PostgresRow) throws {
            self.id = try row.decode(UUID.self, column: "id")
            self.provider = try row.decode(String.self, column: "provider")
            self.email = try row.decode(String.self, column: "email")
            self.calendarID = try row.decode(String.self, column: "calendar_id")
            self.timeZone = try row.decode(String.self, column: "time_zone")
            self.syncEnabled = try row.decode(Bool.self, column: "sync_enabled")
            self.conflictStrategy = try row.decode(String.self, column: "conflict_strategy")
            self.connectionStatus = try row.decode(String.self, column: "connection_status")
            self.syncing = try row.decode(Bool.self, column: "syncing")
            self.syncPending = try row.decode(Bool.self, column: "pending")
            self.lastSyncAt = try row.decode(Date?.self, column: "last_sync_at")
            self.lastSyncStatus = try row.decode(String?.self, column: "last_sync_status")
            self.lastError = try row.decode(String?.self, column: "last_error")
            self.nextSyncAt = try row.decode(Date?.self, column: "next_sync_at")
            self.createdAt = try row.decode(Date.self, column: "created_at")
        }
    }

    /// The caller's own accounts in the active organization, oldest first (an admin's wider
    /// read is for the monitoring views).
    public func list(for identity: Identity) async throws -> [Record] {
        // One statement: sent with the session's BEGIN, identity and COMMIT in one round trip.
        try await self.database.readSession(identity, Self.listStatement).rows.map(Record.init(row:))
    }

    /// The statement of `list` (crmsync-bench times it as the API runs it).
    public static let listStatement: SQL = """
        select \(unescaped: Record.columns) from public.calendar_accounts a
         where a.user_id = (select auth.uid()) and a.organization_id = (select private.current_org_id())
           and a.connection_status <> 'disconnected'
         order by a.created_at, a.id
        """

    /// The caller's own account `id`; `DatabaseError.notFound` otherwise, and when it is
    /// disconnected unless `includingDisconnected` (the answer to the disconnect itself).
    public func record(_ id: UUID, includingDisconnected: Bool = false, for identity: Identity) async throws -> Record {
        try await self.database.session(identity) { connection in
            try await Self.record(id, includingDisconnected: includingDisconnected, on: connection)
        }
    }

    /// Changes the settings given (nil leaves one as it is) through
    /// `update_calendar_account_settings`; returns the account as it now is.
    public func updateSettings(
        _ id: UUID, syncEnabled: Bool?, conflictStrategy: String?, calendarID: String?, for identity: Identity
    ) async throws -> Record {
        try await self.database.session(identity) { connection in
            // Not the caller's, or disconnected: notFound before anything changes.
            _ = try await Self.record(id, on: connection)
            try await connection.query(
                """
                select public.update_calendar_account_settings(
                  \(id), \(syncEnabled), \(conflictStrategy), \(calendarID))
                """)
            return try await Self.record(id, on: connection)
        }
    }

    /// What asking for a sync did.
    public enum SyncRequest: Sendable, Hashable {
        /// Requested (coalesced with a pending request; the workers are woken) at the
        /// database's clock.
        case requested(at: Date)
        /// The account is paused or needs reconnecting: nothing was requested.
        case notSyncable(Record)
    }

    /// Asks for a sync of the caller's own account now, unless it cannot sync.
    public func requestSync(_ id: UUID, for identity: Identity) async throws -> SyncRequest {
        try await self.database.session(identity) { connection in
            let account = try await Self.record(id, on: connection)
            guard account.syncEnabled, account.connectionStatus != "needs_reauth" else { return .notSyncable(account) }
            try await connection.query("select public.request_calendar_sync(\(id))")
            guard let now = try await connection.query("select now()").first?.decode(Date.self, at: 0) else {
                throw DatabaseError.unexpected("now() returned nothing")
            }
            return .requested(at: now)
        }
    }

    /// One run of `calendar_sync_log`.
    public struct SyncLogEntry: Sendable, Hashable {
        public var id: UUID
        public var syncType: String
        public var direction: String
        public var status: String
        public var imported: Int
        public var exported: Int
        public var updated: Int
        public var deleted: Int
        public var errors: Int
        /// The run's failures as the JSON text the log holds.
        public var errorDetailsJSON: String
        public var startedAt: Date
        public var completedAt: Date?
    }

    /// The caller's own account's latest runs, newest first; `DatabaseError.notFound` when the
    /// account is not theirs.
    public func syncLog(_ id: UUID, limit: Int, for identity: Identity) async throws -> [SyncLogEntry] {
        try await self.database.session(identity) { connection in
            _ = try await Self.record(id, on: connection)
            return try await connection.query(
                """
                select l.id, l.sync_type, l.sync_direction, l.status, l.events_imported, l.events_exported,
                       l.events_updated, l.events_deleted, l.errors, l.error_details::text, l.started_at, l.completed_at
                  from public.calendar_sync_log l
                 where l.calendar_account_id = \(id)
                 order by l.started_at desc, l.id
                 limit \(limit)
                """
            ).rows.map { row in
                SyncLogEntry(
                    id: try row.decode(UUID.self, at: 0), syncType: try row.decode(String.self, at: 1),
                    direction: try row.decode(String.self, at: 2), status: try row.decode(String.self, at: 3),
                    imported: try row.decode(Int.self, at: 4), exported: try row.decode(Int.self, at: 5),
                    updated: try row.decode(Int.self, at: 6), deleted: try row.decode(Int.self, at: 7),
                    errors: try row.decode(Int.self, at: 8), errorDetailsJSON: try row.decode(String.self, at: 9),
                    startedAt: try row.decode(Date.self, at: 10), completedAt: try row.decode(Date?.self, at: 11))
            }
        }
    }

    /// The calendar the account syncs now, read in its owner's worker session; nil when the
    /// account is gone or not theirs.
    public func currentCalendar(account: UUID, as owner: Identity) async throws -> String? {
        try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                "select calendar_id from public.calendar_accounts where id = \(account)"
            ).first?.decode(String.self, at: 0)
        }
    }

    /// The caller's own account `id` in the active organization, on an open session; a
    /// disconnected one only when `includingDisconnected`.
    static func record(_ id: UUID, includingDisconnected: Bool = false, on connection: PostgresConnection) async throws -> Record {
        let rows = try await connection.queryPrepared(
            """
            select \(unescaped: Record.columns) from public.calendar_accounts a
             where a.id = \(id) and a.user_id = auth.uid() and a.organization_id = private.current_org_id()
               and (\(includingDisconnected) or a.connection_status <> 'disconnected')
            """)
        guard let row = rows.first else { throw DatabaseError.notFound("calendar account") }
        return try Record(row: row)
    }
}
