import Foundation
import PostgresClient

/// The mail half's bookkeeping, through the SQL functions of sql/migrations/320_email_sync.sql
/// and sql/functions: connecting a mailbox, a run's log, folders and their cursors, the import
/// of fetched batches and the outbox (EmailStore+Outbox), the scheduling leases
/// (EmailStore+Leases). Every sync call runs in the account owner's worker session; the
/// functions and row-level security decide what is allowed. Errors leave as `DatabaseError`
/// (`.refused` for another user's account or folder, `.invalidValue` for a bad batch,
/// `.wrongState` for a cursor of another UIDVALIDITY).
public struct EmailStore: Sendable {
    public let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    // MARK: connecting

    /// Creates or reconnects the caller's mailbox for `settings.email` in the active
    /// organization, with its secrets encrypted (nil keeps a stored secret), connected and due
    /// now; audited. Call it only after the engine verified the login. `role` is
    /// `.authenticated` for a person's request, `.worker` when the engine connects.
    public func connect(
        _ settings: EmailAccountSettings, secrets: EmailAccountSecrets, as identity: Identity,
        role: SessionRole = .authenticated
    ) async throws -> UUID {
        try await self.database.session(identity, role: role, secrets: true) { connection in
            let id = try await connection.query(
                """
                select public.connect_email_account(
                  \(settings.provider), \(settings.email), \(settings.displayName),
                  \(settings.imapHost), \(settings.imapPort), \(settings.imapUsername), \(settings.imapUseTLS),
                  \(settings.smtpHost), \(settings.smtpPort), \(settings.smtpUsername), \(settings.smtpUseStartTLS),
                  \(secrets.password), \(secrets.accessToken), \(secrets.refreshToken), \(secrets.expiresAt))
                """
            ).first?.decode(UUID?.self, at: 0)
            guard let id else { throw DatabaseError.unexpected("connect_email_account returned no id") }
            return id
        }
    }

    /// Asks for a sync of the account now (coalesced; wakes the workers).
    public func requestSync(account: UUID, as identity: Identity, role: SessionRole = .authenticated) async throws {
        _ = try await self.database.session(identity, role: role) { connection in
            try await connection.query("select public.request_email_sync(\(account))")
        }
    }

    // MARK: runs

    /// Opens the run's `email_sync_log` row (`syncType`: manual, auto or webhook) and returns
    /// its id; runs of the account left running are closed as abandoned.
    public func startSync(account: UUID, syncType: String, as owner: Identity) async throws -> UUID {
        try await self.database.session(owner, role: .worker) { connection in
            let id = try await connection.query("select public.start_email_sync(\(account), \(syncType))")
                .first?.decode(UUID?.self, at: 0)
            guard let id else { throw DatabaseError.unexpected("start_email_sync returned no id") }
            return id
        }
    }

    /// Ends the run's log row; a failed run makes the SQL function back the account off.
    /// `details` is encoded as the log's JSON (no secrets in it).
    public func finishSync(log logID: UUID, _ finish: EmailSyncFinish, details: some Encodable & Sendable, as owner: Identity)
        async throws
    {
        let json = try PostgresJSON(encoding: details)
        _ = try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                """
                select public.finish_email_sync(
                  \(logID), \(finish.status.rawValue), \(finish.imported), \(finish.updated), \(finish.deleted),
                  \(finish.errors), \(json)::jsonb)
                """)
        }
    }

    // MARK: folders

    /// The account's synced folders and their cursors.
    public func folderState(account: UUID, as owner: Identity) async throws -> [EmailFolderState] {
        try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                """
                select folder_id, name, role, uidvalidity, last_uid, highestmodseq, last_full_scan_at
                from public.email_folder_state(\(account))
                """
            ).rows.map { row in
                let role = try row.decode(String.self, at: 2)
                guard let folderRole = EmailFolderRole(rawValue: role) else {
                    throw DatabaseError.unexpected("unknown folder role \(role)")
                }
                return EmailFolderState(
                    folderID: try row.decode(UUID.self, at: 0), name: try row.decode(String.self, at: 1), role: folderRole,
                    uidValidity: try row.decode(Int64?.self, at: 3), lastUID: try row.decode(Int64.self, at: 4),
                    highestModSeq: try row.decode(Int64?.self, at: 5), lastFullScanAt: try row.decode(Date?.self, at: 6))
            }
        }
    }

    /// The id of the account's folder `name`, created with an empty cursor when new.
    public func ensureFolder(account: UUID, name: String, role: EmailFolderRole, as owner: Identity) async throws -> UUID {
        try await self.database.session(owner, role: .worker) { connection in
            let id = try await connection.query(
                "select public.ensure_email_folder(\(account), \(name), \(role.rawValue))"
            ).first?.decode(UUID?.self, at: 0)
            guard let id else { throw DatabaseError.unexpected("ensure_email_folder returned no id") }
            return id
        }
    }

    /// The UIDs stored for the folder, ascending (diffed against `UID SEARCH ALL` to find
    /// expunges without QRESYNC).
    public func folderUIDs(folder: UUID, as owner: Identity) async throws -> [Int64] {
        try await self.database.session(owner, role: .worker) { connection in
            try await connection.query("select u from public.email_folder_uids(\(folder)) as u")
                .rows.map { try $0.decode(Int64.self, at: 0) }
        }
    }

    /// The folder's UIDVALIDITY changed: its locations are dropped (messages now in no folder
    /// are marked expunged), the cursor restarts at `uidValidity`. Returns how many messages
    /// were marked.
    @discardableResult
    public func resetFolder(account: UUID, folder: UUID, uidValidity: Int64, as owner: Identity) async throws -> Int {
        try await self.database.session(owner, role: .worker) { connection in
            try await connection.query("select public.reset_email_folder(\(account), \(folder), \(uidValidity))")
                .first?.decode(Int.self, at: 0) ?? 0
        }
    }

    // MARK: import

    /// One call of `public.import_email_messages`: a batch fetched from one folder and the
    /// folder's cursor after it, in one transaction. Replaying a batch returns (0, 0).
    public func importMessages(
        account: UUID, folder: UUID, _ messages: [EmailImportMessage], cursor: EmailFolderCursor?, as owner: Identity
    ) async throws -> EmailImportResult {
        let batch = try PostgresJSON(encoding: messages)
        let cursorJSON = try cursor.map { try PostgresJSON(encoding: $0) }
        return try await self.database.session(owner, role: .worker) { connection in
            let row = try await connection.query(
                """
                select inserted, updated
                from public.import_email_messages(\(account), \(folder), \(batch)::jsonb, \(cursorJSON)::jsonb)
                """
            ).first
            guard let row else { throw DatabaseError.unexpected("import_email_messages returned no row") }
            return EmailImportResult(inserted: try row.decode(Int.self, at: 0), updated: try row.decode(Int.self, at: 1))
        }
    }

    /// One call of `public.apply_email_folder_changes`: new flags of known UIDs, UIDs gone from
    /// the folder, and the folder's cursor. Returns (updated, deleted = newly marked expunged).
    public func applyFolderChanges(
        account: UUID, folder: UUID, flags: [EmailFlagChange], expunged: [Int64], cursor: EmailFolderCursor?,
        as owner: Identity
    ) async throws -> EmailFolderChangeResult {
        let flagsJSON = try PostgresJSON(encoding: flags)
        let cursorJSON = try cursor.map { try PostgresJSON(encoding: $0) }
        return try await self.database.session(owner, role: .worker) { connection in
            let row = try await connection.query(
                """
                select updated, deleted
                from public.apply_email_folder_changes(\(account), \(folder), \(flagsJSON)::jsonb, \(expunged)::bigint[],
                                                       \(cursorJSON)::jsonb)
                """
            ).first
            guard let row else { throw DatabaseError.unexpected("apply_email_folder_changes returned no row") }
            return EmailFolderChangeResult(updated: try row.decode(Int.self, at: 0), deleted: try row.decode(Int.self, at: 1))
        }
    }
}
