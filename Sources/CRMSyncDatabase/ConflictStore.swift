import Foundation
import PostgresClient

/// Sync conflicts (`calendar_conflicts`) as their owner sees and resolves them, through
/// `public.resolve_calendar_conflict`. Runs in the caller's session: only the caller's own
/// conflicts are listed or resolved (an admin may read others' in the views, not resolve them),
/// and none of a disconnected account (it is gone from the API; its rows stay).
public struct ConflictStore: Sendable {
    public let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    /// One conflict: both versions as the JSON text their snapshots hold.
    public struct Record: Sendable, Hashable {
        public var id: UUID
        public var accountID: UUID
        public var appointmentID: UUID
        public var crmSnapshotJSON: String
        public var remoteSnapshotJSON: String
        public var detectedAt: Date
        public var resolution: String?
        public var resolvedAt: Date?

        static let columns = """
            c.id, c.calendar_account_id, c.appointment_id, c.crm_snapshot::text, c.remote_snapshot::text,
            c.detected_at, c.resolution, c.resolved_at
            """

        init(row: PostgresRow) throws {
            self.id = try row.decode(UUID.self, at: 0)
            self.accountID = try row.decode(UUID.self, at: 1)
            self.appointmentID = try row.decode(UUID.self, at: 2)
            self.crmSnapshotJSON = try row.decode(String.self, at: 3)
            self.remoteSnapshotJSON = try row.decode(String.self, at: 4)
            self.detectedAt = try row.decode(Date.self, at: 5)
            self.resolution = try row.decode(String?.self, at: 6)
            self.resolvedAt = try row.decode(Date?.self, at: 7)
        }
    }

    /// Which conflicts to list.
    public enum State: String, Sendable, CaseIterable {
        case open, resolved, all
    }

    /// The version a resolution keeps.
    public enum Keep: String, Sendable {
        case crm = "keep_crm"
        case calendar = "keep_calendar"
    }

    /// The caller's conflicts, newest first, of one account or all of theirs.
    public func list(account: UUID?, state: State, limit: Int, for identity: Identity) async throws -> [Record] {
        try await self.database.session(identity) { connection in
            try await connection.query(
                """
                select \(unescaped: Record.columns)
                  from public.calendar_conflicts c
                  join public.calendar_accounts a on a.organization_id = c.organization_id and a.id = c.calendar_account_id
                 where a.user_id = auth.uid() and c.organization_id = private.current_org_id()
                   and a.connection_status <> 'disconnected'
                   and (\(account)::uuid is null or c.calendar_account_id = \(account))
                   and (\(state.rawValue) = 'all' or (c.resolved_at is null) = (\(state.rawValue) = 'open'))
                 order by c.detected_at desc, c.id
                 limit \(limit)
                """
            ).rows.map(Record.init(row:))
        }
    }

    /// What resolving did.
    public enum Resolution: Sendable, Hashable {
        /// Resolved; the chosen version syncs next.
        case resolved(Record)
        /// It had been resolved before; nothing changed.
        case alreadyResolved
    }

    /// Resolves the caller's own conflict `id`; `DatabaseError.notFound` when it is not theirs.
    ///
    /// Of concurrent resolutions of one conflict exactly one returns `.resolved`: the function
    /// locks the conflict, so the others wait for the winner and then answer `.alreadyResolved`
    /// (whether they asked for the same version or the other one).
    public func resolve(_ id: UUID, keep: Keep, for identity: Identity) async throws -> Resolution {
        do {
            return try await self.database.session(identity) { connection in
                let outcome = try await connection.query(
                    "select public.resolve_calendar_conflict(\(id), \(keep.rawValue))")
                guard let row = outcome.first else { throw DatabaseError.unexpected("resolve_calendar_conflict returned no row") }
                guard try row.decode(Bool.self, at: 0) else { return .alreadyResolved }
                let rows = try await connection.query(
                    "select \(unescaped: Record.columns) from public.calendar_conflicts c where c.id = \(id)")
                guard let resolved = rows.first else { throw DatabaseError.notFound("conflict") }
                return .resolved(try Record(row: resolved))
            }
        } catch DatabaseError.refused {
            // 42501 'conflict not found': another user's, another tenant's, or none at all.
            throw DatabaseError.notFound("conflict")
        } catch DatabaseError.wrongState {
            // 55000: resolved the other way, possibly by a concurrent request a moment ago.
            return .alreadyResolved
        }
    }
}
