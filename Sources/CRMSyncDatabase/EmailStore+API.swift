import Foundation
import PostgresClient

/// What the Gmail and Graph mail runs read and write: cursors, which messages are known, and
/// one page of changes applied with `public.import_email_api_changes`.
extension EmailStore {
    /// Where the next run of an account starts.
    public struct SyncCursors: Sendable, Hashable {
        /// The account's cursor (Gmail historyId); nil = full listing.
        public var account: String?
        /// Each synced folder's (Graph deltaLink).
        public var folders: [FolderCursor]
    }

    /// A synced folder and its cursor.
    public struct FolderCursor: Sendable, Hashable {
        public var id: UUID
        public var name: String
        public var role: String
        public var cursor: String?
    }

    /// `public.email_sync_cursors`, in `owner`'s worker session.
    public func syncCursors(account: UUID, as owner: Identity) async throws -> SyncCursors {
        try await self.database.session(owner, role: .worker) { connection in
            var cursors = SyncCursors(account: nil, folders: [])
            for row in try await connection.query("select folder_id, name, role, cursor from public.email_sync_cursors(\(account))").rows {
                if let id = try row.decode(UUID?.self, at: 0) {
                    cursors.folders.append(FolderCursor(
                        id: id, name: try row.decode(String.self, at: 1), role: try row.decode(String.self, at: 2),
                        cursor: try row.decode(String?.self, at: 3)))
                } else {
                    cursors.account = try row.decode(String?.self, at: 3)
                }
            }
            return cursors
        }
    }

    /// The ids among `ids` that the account already stores (`public.email_known_messages`).
    public func knownMessages(account: UUID, ids: [String], as owner: Identity) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try await self.database.session(owner, role: .worker) { connection in
            var known: Set<String> = []
            for row in try await connection.query(
                "select provider_message_id from public.email_known_messages(\(account), \(ids)::text[])"
            ).rows {
                known.insert(try row.decode(String.self, at: 0))
            }
            return known
        }
    }

    /// One page of a Gmail or Graph run (`public.import_email_api_changes`): new messages,
    /// changes to known ones, the end of a complete listing, and the cursor, in one transaction.
    public func importAPIChanges(_ page: EmailAPIPage, account: UUID, as owner: Identity) async throws -> EmailAPIImportResult {
        let messages = try PostgresJSON(encoding: page.messages)
        let changes = try PostgresJSON(encoding: page.changes)
        return try await self.database.session(owner, role: .worker) { connection in
            let row = try await connection.query(
                """
                select inserted, updated, deleted
                  from public.import_email_api_changes(\(account), \(page.folder), \(messages)::jsonb, \(changes)::jsonb,
                                                       \(page.syncedLabels)::text[], \(page.completeIDs)::text[],
                                                       \(page.cursor))
                """
            ).first
            guard let row else { throw DatabaseError.unexpected("import_email_api_changes returned no row") }
            return EmailAPIImportResult(
                inserted: try row.decode(Int.self, at: 0), updated: try row.decode(Int.self, at: 1),
                deleted: try row.decode(Int.self, at: 2))
        }
    }

    /// Records when the account's push registration (Gmail users.watch) lapses.
    public func recordPushExpiry(account: UUID, expiresAt: Date?, as owner: Identity) async throws {
        _ = try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                "update public.email_accounts set push_expires_at = \(expiresAt) where id = \(account)")
        }
    }
}

/// One page of a Gmail or Graph mail run, as `public.import_email_api_changes` takes it.
public struct EmailAPIPage: Sendable {
    /// Graph's folder (its row holds the deltaLink); nil for Gmail.
    public var folder: UUID?
    /// New messages, or known ones read again in full (labels and read state replace the stored ones).
    public var messages: [EmailImportMessage]
    /// Changes to stored messages, at most one per message.
    public var changes: [EmailLabelChange]
    /// Labels meaning "in a synced folder"; a message with none of them is expunged.
    public var syncedLabels: [String]
    /// Set on the last page of a complete listing: every id it listed.
    public var completeIDs: [String]?
    /// The cursor after this page (Gmail historyId, Graph deltaLink); nil keeps the stored one.
    public var cursor: String?

    public init(
        folder: UUID? = nil, messages: [EmailImportMessage] = [], changes: [EmailLabelChange] = [], syncedLabels: [String],
        completeIDs: [String]? = nil, cursor: String? = nil
    ) {
        self.folder = folder
        self.messages = messages
        self.changes = changes
        self.syncedLabels = syncedLabels
        self.completeIDs = completeIDs
        self.cursor = cursor
    }
}

/// A change to a stored message that needs no new copy of it: labels, read state, deletion.
public struct EmailLabelChange: Sendable, Hashable, Codable {
    public var providerMessageID: String
    /// Replaces the labels when set.
    public var labels: [String]?
    public var addLabels: [String]
    public var removeLabels: [String]
    public var isRead: Bool?
    /// Deleted at the provider (marked expunged, never deleted here).
    public var deleted: Bool

    public init(
        providerMessageID: String, labels: [String]? = nil, addLabels: [String] = [], removeLabels: [String] = [],
        isRead: Bool? = nil, deleted: Bool = false
    ) {
        self.providerMessageID = providerMessageID
        self.labels = labels
        self.addLabels = addLabels
        self.removeLabels = removeLabels
        self.isRead = isRead
        self.deleted = deleted
    }

    enum CodingKeys: String, CodingKey {
        case providerMessageID = "provider_message_id", labels, addLabels = "add_labels", removeLabels = "remove_labels"
        case isRead = "is_read", deleted
    }
}

/// What one page changed.
public struct EmailAPIImportResult: Sendable, Hashable {
    public var inserted: Int
    public var updated: Int
    public var deleted: Int
}

extension EmailStore {
    /// Stores refreshed OAuth tokens of an account, encrypted (`public.store_email_account_secrets`;
    /// nil keeps the stored refresh token).
    public func storeTokens(account: UUID, accessToken: String, refreshToken: String?, expiresAt: Date, as owner: Identity) async throws {
        _ = try await self.database.session(owner, role: .worker, secrets: true) { connection in
            try await connection.query(
                """
                select public.store_email_account_secrets(\(account), null, \(accessToken), \(refreshToken), \(expiresAt))
                """)
        }
    }
}

extension EmailStore {
    /// The provider thread of the message with Message-ID `messageID` in the account (Gmail's
    /// threadId for a reply sent through the API); nil when unknown.
    public func threadID(of messageID: String?, account: UUID, as owner: Identity) async throws -> String? {
        guard let messageID else { return nil }
        let bare = messageID.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t"))
        return try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                """
                select thread_id from public.email_messages
                 where email_account_id = \(account) and internet_message_id = \(bare) and thread_id is not null
                 order by received_at desc nulls last limit 1
                """
            ).first?.decode(String.self, at: 0)
        }
    }
}

extension EmailStore {
    /// The Gmail accounts a verified push for `email` concerns (`public.gmail_push_accounts`),
    /// read without an identity: the webhook knows none until then.
    public func gmailPushAccounts(email: String) async throws -> [(account: UUID, owner: Identity)] {
        try await self.database.session(nil, role: .worker) { connection in
            try await connection.query(
                "select organization_id, user_id, email_account_id from public.gmail_push_accounts(\(email))"
            ).rows.map { row in
                (try row.decode(UUID.self, at: 2),
                 Identity(userID: try row.decode(UUID.self, at: 1), organizationID: try row.decode(UUID.self, at: 0)))
            }
        }
    }
}

extension EmailStore {
    /// An Outlook mailbox's Graph subscription, as the webhook finds it.
    public struct PushSubscription: Sendable, Hashable {
        public var subscriptionID: String
        public var account: UUID
        public var owner: Identity
        public var secretHash: [UInt8]
        public var expiresAt: Date?
    }

    /// The Outlook mail accounts of these Graph subscription ids (`public.email_push_subscription_lookup`),
    /// read without an identity (at most 100 ids).
    public func pushSubscriptions(ids: [String]) async throws -> [String: PushSubscription] {
        guard !ids.isEmpty else { return [:] }
        return try await self.database.session(nil, role: .worker) { connection in
            var found: [String: PushSubscription] = [:]
            for row in try await connection.query(
                """
                select subscription_id, organization_id, user_id, email_account_id, secret_hash, expires_at
                  from public.email_push_subscription_lookup(\(ids)::text[])
                """
            ).rows {
                let id = try row.decode(String.self, at: 0)
                found[id] = PushSubscription(
                    subscriptionID: id, account: try row.decode(UUID.self, at: 3),
                    owner: Identity(userID: try row.decode(UUID.self, at: 2), organizationID: try row.decode(UUID.self, at: 1)),
                    secretHash: [UInt8](try row.decode(Data.self, at: 4)), expiresAt: try row.decode(Date?.self, at: 5))
            }
            return found
        }
    }

    /// Records the account's new Graph subscription (id, sha256 of its clientState, expiry).
    public func recordPushSubscription(
        account: UUID, subscriptionID: String, secretHash: [UInt8], expiresAt: Date, as owner: Identity
    ) async throws {
        _ = try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                """
                update public.email_accounts
                   set push_subscription_id = \(subscriptionID), push_secret_hash = \(Data(secretHash)), push_expires_at = \(expiresAt)
                 where id = \(account)
                """)
        }
    }
}
