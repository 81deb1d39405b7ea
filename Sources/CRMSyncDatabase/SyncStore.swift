import Foundation
import PostgresClient

/// The sync bookkeeping of calendar accounts, through the SQL functions of sql/2xx: a run's
/// log, the import of listed pages, the export batches and their results. Every call runs in
/// the account owner's worker session; the functions decide what an event means for the CRM.
public struct SyncStore: Sendable {
    public let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    /// A calendar account as one sync run reads it.
    public struct Account: Sendable, Hashable {
        public var id: UUID
        public var owner: Identity
        /// As `calendar_accounts.provider` stores it (`google`, `outlook`).
        public var provider: String
        public var calendarID: String
        /// Where the last completed listing ended; nil before the first sync.
        public var cursor: String?
        public var conflictStrategy: String
        public var connectionStatus: String
    }

    /// Reads the account as `owner` sees it and opens its `calendar_sync_log` row, in one
    /// transaction; nil when row-level security hides the account or it does not exist.
    public func start(account id: UUID, trigger: String, direction: String, as owner: Identity) async throws -> (Account, logID: UUID?)? {
        try await self.database.session(owner, role: .worker) { connection in
            let rows = try await connection.query(
                """
                select provider, calendar_id, sync_cursor, conflict_strategy, connection_status, user_id, organization_id
                from public.calendar_accounts where id = \(id)
                """)
            guard let row = rows.first else { return nil }
            let account = Account(
                id: id,
                owner: Identity(userID: try row.decode(UUID.self, at: 5), organizationID: try row.decode(UUID.self, at: 6)),
                provider: try row.decode(String.self, at: 0), calendarID: try row.decode(String.self, at: 1),
                cursor: try row.decode(String?.self, at: 2).flatMap { $0.isEmpty ? nil : $0 },
                conflictStrategy: try row.decode(String.self, at: 3), connectionStatus: try row.decode(String.self, at: 4))
            let logID = try await connection.query(
                "select public.start_calendar_sync(\(id), \(trigger), \(direction))"
            ).first?.decode(UUID.self, at: 0)
            return (account, logID)
        }
    }

    /// What one run did, as `finish_calendar_sync` records it.
    public struct Finish: Sendable {
        public var status: String
        public var imported: Int
        public var exported: Int
        public var updated: Int
        public var deleted: Int
        public var errors: Int
        public var nextCursor: String?
        /// Forget the stored cursor (a failed run found it expired).
        public var clearCursor: Bool

        public init(
            status: String, imported: Int, exported: Int, updated: Int, deleted: Int, errors: Int, nextCursor: String?,
            clearCursor: Bool
        ) {
            self.status = status
            self.imported = imported
            self.exported = exported
            self.updated = updated
            self.deleted = deleted
            self.errors = errors
            self.nextCursor = nextCursor
            self.clearCursor = clearCursor
        }
    }

    /// Ends the run's log row and stores (or clears) the cursor, in one call; a failed run
    /// makes the SQL function back the account off. `details` is encoded as the log's JSON.
    public func finish(log logID: UUID, _ finish: Finish, details: some Encodable & Sendable, as owner: Identity) async throws {
        let json = try PostgresJSON(encoding: details)
        _ = try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                """
                select public.finish_calendar_sync(
                  \(logID), \(finish.status), \(finish.imported), \(finish.exported),
                  \(finish.updated), \(finish.deleted), \(finish.errors), \(json)::jsonb,
                  \(finish.nextCursor), \(finish.clearCursor))
                """)
        }
    }

    /// Stores the counts of a run under way on its log row (they only grow), so that a run
    /// whose worker dies keeps what it did.
    public func recordProgress(
        log logID: UUID, imported: Int, exported: Int, updated: Int, deleted: Int, errors: Int, as owner: Identity
    ) async throws {
        _ = try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                """
                select public.record_calendar_sync_progress(
                  \(logID), \(imported), \(exported), \(updated), \(deleted), \(errors))
                """)
        }
    }

    /// Marks the account as needing its owner to connect it again (it leaves the schedule).
    public func markReconnect(account: UUID, reason: String, as owner: Identity) async throws {
        _ = try await self.database.session(owner, role: .worker) { connection in
            try await connection.query("select public.mark_calendar_account_reauth(\(account), \(reason))")
        }
    }

    /// One outcome of `import_calendar_events`.
    public struct ImportedEvent: Sendable, Hashable {
        public var externalEventID: String?
        public var outcome: String
    }

    /// One call of `public.import_calendar_events` with a page of events (encoded as the
    /// function's JSON array), in its own transaction.
    public func importEvents(account: UUID, _ events: some Encodable & Sendable, as owner: Identity) async throws -> [ImportedEvent] {
        let json = try PostgresJSON(encoding: events)
        return try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                "select external_event_id, outcome from public.import_calendar_events(\(account), \(json)::jsonb)"
            ).rows.map { ImportedEvent(externalEventID: try $0.decode(String?.self, at: 0), outcome: try $0.decode(String.self, at: 1)) }
        }
    }

    /// The provider ids of the account's live mappings (occurrences too) whose appointment lies
    /// between `from` and `until` (a full listing that misses one means it no longer exists).
    public func mappedEventIDs(account: UUID, from: Date, until: Date, as owner: Identity) async throws -> [String] {
        try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                """
                select m.external_event_id
                  from public.calendar_event_mappings m
                  join public.appointments a on a.organization_id = m.organization_id and a.id = m.appointment_id
                 where m.calendar_account_id = \(account) and not m.remote_deleted
                   and m.external_event_id not like 'unsent:%'
                   and a.start_time > \(from) and a.end_time < \(until)
                """
            ).rows.map { try $0.decode(String.self, at: 0) }
        }
    }

    /// Records that the provider refused the OAuth client the account uses (the operator's
    /// problem, `public.report_oauth_client_rejected`); true the first time since it was set.
    public func reportClientRejected(account: UUID, reason: String, as owner: Identity) async throws -> Bool {
        try await self.database.session(owner, role: .worker) { connection in
            try await connection.query("select public.report_oauth_client_rejected(\(account), \(reason))")
                .first?.decode(Bool.self, at: 0) ?? false
        }
    }

    /// Which of `eventIDs` the account maps to an event not yet known to be deleted.
    public func mappedAmong(_ eventIDs: [String], account: UUID, as owner: Identity) async throws -> [String] {
        try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                """
                select m.external_event_id
                  from public.calendar_event_mappings m
                 where m.calendar_account_id = \(account) and not m.remote_deleted
                   and m.external_event_id = any(\(eventIDs))
                """
            ).rows.map { try $0.decode(String.self, at: 0) }
        }
    }

    /// One appointment `public.calendar_export_batch` hands out.
    public struct ExportCandidate: Sendable, Hashable {
        public var appointmentID: UUID
        /// `create`, `update` or `delete`.
        public var action: String
        public var externalEventID: String?
        public var etag: String?
        public var crmVersion: Int64
        public var title: String?
        public var description: String?
        public var location: String?
        public var start: Date?
        public var end: Date?
        public var allDay: Bool
        public var timeZone: String?
    }

    /// The next batch of appointments to send to the provider.
    public func exportBatch(account: UUID, limit: Int, as owner: Identity) async throws -> [ExportCandidate] {
        try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                """
                select appointment_id, action, external_event_id, etag, crm_version, title, description, location,
                       start_time, end_time, all_day, time_zone
                from public.calendar_export_batch(\(account), \(limit))
                """
            ).rows.map { row in
                ExportCandidate(
                    appointmentID: try row.decode(UUID.self, at: 0), action: try row.decode(String.self, at: 1),
                    externalEventID: try row.decode(String?.self, at: 2), etag: try row.decode(String?.self, at: 3),
                    crmVersion: try row.decode(Int64.self, at: 4), title: try row.decode(String?.self, at: 5),
                    description: try row.decode(String?.self, at: 6), location: try row.decode(String?.self, at: 7),
                    start: try row.decode(Date?.self, at: 8), end: try row.decode(Date?.self, at: 9),
                    allDay: try row.decode(Bool?.self, at: 10) ?? false, timeZone: try row.decode(String?.self, at: 11))
            }
        }
    }

    /// One call of `public.record_calendar_exports` with a batch's results (encoded as the
    /// function's JSON array).
    public func recordExports(account: UUID, _ results: some Encodable & Sendable, as owner: Identity) async throws {
        let json = try PostgresJSON(encoding: results)
        _ = try await self.database.session(owner, role: .worker) { connection in
            try await connection.query("select public.record_calendar_exports(\(account), \(json)::jsonb)")
        }
    }

    /// Asks for a sync of the account now (coalesced; wakes the workers).
    public func requestSync(account: UUID, as identity: Identity) async throws {
        _ = try await self.database.session(identity) { connection in
            try await connection.query("select public.request_calendar_sync(\(account))")
        }
    }

    /// Accounts due for a sync now, across organizations (a cheap count for the metrics).
    public func dueAccountCount() async throws -> Int? {
        try await self.database.session(nil, role: .worker) { connection in
            try await connection.query("select public.calendar_due_account_count()").first?.decode(Int.self, at: 0)
        }
    }
}
