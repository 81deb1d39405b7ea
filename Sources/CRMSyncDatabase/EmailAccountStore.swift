import Foundation
import PostgresClient

/// The caller's own mailboxes as the API shows and changes them: settings, status, folders,
/// the sync log, disconnecting. Every call runs in the caller's session; an account that is not
/// theirs (another user's, another organization's, even to an admin whose policies could read
/// it) is `DatabaseError.notFound`, and so is a disconnected one: it is gone from the API (its
/// row, sync log and audit stay) until it is connected again.
public struct EmailAccountStore: Sendable {
    public let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    /// One mailbox: settings and status, never a secret, a cursor or a worker's name.
    public struct Record: Sendable, Hashable {
        public struct Folder: Sendable, Hashable, Decodable {
            public var name: String
            /// `inbox`, `sent` or `other`.
            public var role: String
        }

        public var id: UUID
        /// `gmail`, `outlook`, `apple` or `imap`.
        public var provider: String
        public var email: String
        public var displayName: String?
        /// `pending`, `connected`, `needs_reauth`, `disconnected` or `error`.
        public var connectionStatus: String
        public var syncEnabled: Bool
        /// A worker holds a live lease on it.
        public var syncing: Bool
        /// A sync was requested and has not started.
        public var syncPending: Bool
        public var lastSyncAt: Date?
        public var lastSyncStatus: String?
        public var lastError: String?
        /// `private`, `metadata`, `subject` or `full`.
        public var sharingLevel: String
        /// Folder names chosen to sync; nil = the default (INBOX and Sent).
        public var syncFolders: [String]?
        /// The folders crmsync keeps a cursor for.
        public var folders: [Folder]
        public var imapHost: String?
        public var imapPort: Int?
        public var smtpHost: String?
        public var smtpPort: Int?
        public var createdAt: Date

        static let columns = """
            a.id, a.provider, a.email, a.display_name, a.connection_status, a.sync_enabled,
            coalesce(a.lease_expires_at > now(), false) as syncing, a.sync_requested_at is not null as pending,
            a.last_sync_at, a.last_sync_status, a.last_error, a.sharing_level, a.sync_folders,
            (select coalesce(json_agg(json_build_object('name', f.name, 'role', f.role) order by f.name), '[]')::text
               from public.email_folders f
              where f.organization_id = a.organization_id and f.email_account_id = a.id) as folders,
            a.imap_host, a.imap_port, a.smtp_host, a.smtp_port, a.created_at
            """

        init(row: PostgresRow) throws {
            self.id = try row.decode(UUID.self, column: "id")
            self.provider = try row.decode(String.self, column: "provider")
            self.email = try row.decode(String.self, column: "email")
            self.displayName = try row.decode(String?.self, column: "display_name")
            self.connectionStatus = try row.decode(String.self, column: "connection_status")
            self.syncEnabled = try row.decode(Bool.self, column: "sync_enabled")
            self.syncing = try row.decode(Bool.self, column: "syncing")
            self.syncPending = try row.decode(Bool.self, column: "pending")
            self.lastSyncAt = try row.decode(Date?.self, column: "last_sync_at")
            self.lastSyncStatus = try row.decode(String?.self, column: "last_sync_status")
            self.lastError = try row.decode(String?.self, column: "last_error")
            self.sharingLevel = try row.decode(String.self, column: "sharing_level")
            self.syncFolders = try row.decode([String]?.self, column: "sync_folders")
            let folders = try row.decode(String.self, column: "folders")
            do {
                self.folders = try JSONDecoder().decode([Folder].self, from: Data(folders.utf8))
            } catch {
                throw DatabaseError.unexpected("email_folders did not aggregate to JSON")
            }
            self.imapHost = try row.decode(String?.self, column: "imap_host")
            self.imapPort = try row.decode(Int?.self, column: "imap_port")
            self.smtpHost = try row.decode(String?.self, column: "smtp_host")
            self.smtpPort = try row.decode(Int?.self, column: "smtp_port")
            self.createdAt = try row.decode(Date.self, column: "created_at")
        }
    }

    /// The caller's own connected (or paused, failing…) mailboxes in the active organization,
    /// oldest first.
    public func list(for identity: Identity) async throws -> [Record] {
        try await self.database.session(identity) { connection in
            try await connection.query(
                """
                select \(unescaped: Record.columns) from public.email_accounts a
                 where a.user_id = auth.uid() and a.organization_id = private.current_org_id()
                   and a.connection_status <> 'disconnected'
                 order by a.created_at, a.id
                """
            ).rows.map(Record.init(row:))
        }
    }

    /// The caller's own mailbox `id`; `DatabaseError.notFound` otherwise, and when it is
    /// disconnected unless `includingDisconnected` (the answer to the disconnect itself).
    public func record(_ id: UUID, includingDisconnected: Bool = false, for identity: Identity) async throws -> Record {
        try await self.database.session(identity) { connection in
            try await Self.record(id, includingDisconnected: includingDisconnected, on: connection)
        }
    }

    /// A change of settings; nil leaves one as it is.
    public struct Change: Sendable, Hashable {
        public var syncEnabled: Bool?
        /// `.some(nil)` goes back to the default folders.
        public var syncFolders: [String]??
        public var sharingLevel: String?

        public init(syncEnabled: Bool? = nil, syncFolders: [String]?? = nil, sharingLevel: String? = nil) {
            self.syncEnabled = syncEnabled
            self.syncFolders = syncFolders
            self.sharingLevel = sharingLevel
        }
    }

    /// Applies `change` with a plain UPDATE in the caller's session (the columns are granted to
    /// the owner; the policy keeps it to their own account); returns the account as it now is.
    /// Turning sync on makes the account due now.
    public func update(_ id: UUID, _ change: Change, for identity: Identity) async throws -> Record {
        try await self.database.session(identity) { connection in
            _ = try await Self.record(id, on: connection)
            let setFolders = change.syncFolders != nil
            let folders: [String]? = change.syncFolders ?? nil
            try await connection.query(
                """
                update public.email_accounts a
                   set sync_enabled  = coalesce(\(change.syncEnabled), a.sync_enabled),
                       next_sync_at  = case when \(change.syncEnabled) and not a.sync_enabled then now() else a.next_sync_at end,
                       sync_folders  = case when \(setFolders) then \(folders)::text[] else a.sync_folders end,
                       sharing_level = coalesce(\(change.sharingLevel), a.sharing_level)
                 where a.id = \(id) and a.user_id = auth.uid() and a.organization_id = private.current_org_id()
                """)
            return try await Self.record(id, on: connection)
        }
    }

    /// What asking for a sync did.
    public enum SyncRequest: Sendable, Hashable {
        /// Requested (coalesced with a pending request; the workers are woken) at the database's clock.
        case requested(at: Date)
        /// The account is paused or needs a new password/grant: nothing was requested.
        case notSyncable(Record)
    }

    /// Asks for a sync of the caller's own mailbox now, unless it cannot sync.
    public func requestSync(_ id: UUID, for identity: Identity) async throws -> SyncRequest {
        try await self.database.session(identity) { connection in
            let account = try await Self.record(id, on: connection)
            guard account.syncEnabled, account.connectionStatus != "needs_reauth" else { return .notSyncable(account) }
            try await connection.query("select public.request_email_sync(\(id))")
            guard let now = try await connection.query("select now()").first?.decode(Date.self, at: 0) else {
                throw DatabaseError.unexpected("now() returned nothing")
            }
            return .requested(at: now)
        }
    }

    /// What disconnecting did.
    public struct Disconnected: Sendable, Hashable {
        public var messagesDeleted: Int
        public var outboxFailed: Int
    }

    /// `public.disconnect_email_account` on the caller's own connected mailbox (notFound
    /// before anything changes otherwise). Revoke at the provider first: the secrets go.
    public func disconnect(_ id: UUID, deleteMail: Bool, for identity: Identity) async throws -> Disconnected {
        try await self.database.session(identity) { connection in
            _ = try await Self.record(id, on: connection)
            guard
                let row = try await connection.query(
                    "select messages_deleted, outbox_failed from public.disconnect_email_account(\(id), \(deleteMail))"
                ).first
            else { throw DatabaseError.unexpected("disconnect_email_account returned no row") }
            return Disconnected(messagesDeleted: try row.decode(Int.self, at: 0), outboxFailed: try row.decode(Int.self, at: 1))
        }
    }

    /// The caller's own account `id` in the active organization, on an open session.
    static func record(_ id: UUID, includingDisconnected: Bool = false, on connection: PostgresConnection) async throws -> Record {
        let rows = try await connection.query(
            """
            select \(unescaped: Record.columns) from public.email_accounts a
             where a.id = \(id) and a.user_id = auth.uid() and a.organization_id = private.current_org_id()
               and (\(includingDisconnected) or a.connection_status <> 'disconnected')
            """)
        guard let row = rows.first else { throw DatabaseError.notFound("email account") }
        return try Record(row: row)
    }
}
