import Foundation
import PostgresClient

/// The outbox as the API's sender sees it: queueing with an idempotency key, the state of one's
/// own queued mail, and the message a reply or a forward refers to. Every call runs in the
/// caller's session; the policies and `public.queue_email` decide what is allowed.
public struct EmailOutboxStore: Sendable {
    public let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    /// One queued message as its sender follows it (never its raw MIME).
    public struct Entry: Sendable, Hashable {
        public var id: UUID
        public var accountID: UUID
        /// The Message-ID header (with brackets).
        public var messageID: String
        /// `queued`, `sending`, `sent` or `failed`.
        public var status: String
        public var attempts: Int
        /// Why the last attempt failed (no secrets).
        public var lastError: String?
        public var sentAt: Date?
        /// The outbound `email_messages` row once sent.
        public var emailMessageID: UUID?
        public var createdAt: Date

        static let columns = """
            o.id, o.email_account_id, o.message_id, o.status, o.attempts, o.last_error, o.sent_at, o.email_message_id, o.created_at
            """

        init(row: PostgresRow) throws {
            self.id = try row.decode(UUID.self, at: 0)
            self.accountID = try row.decode(UUID.self, at: 1)
            self.messageID = try row.decode(String.self, at: 2)
            self.status = try row.decode(String.self, at: 3)
            self.attempts = try row.decode(Int.self, at: 4)
            self.lastError = try row.decode(String?.self, at: 5)
            self.sentAt = try row.decode(Date?.self, at: 6)
            self.emailMessageID = try row.decode(UUID?.self, at: 7)
            self.createdAt = try row.decode(Date.self, at: 8)
        }
    }

    /// The caller's own queued message `id` (queued by them in the active organization);
    /// `DatabaseError.notFound` otherwise.
    public func entry(_ id: UUID, for identity: Identity) async throws -> Entry {
        try await self.database.session(identity) { connection in
            let row = try await connection.query(
                """
                select \(unescaped: Entry.columns) from public.email_outbox o
                 where o.id = \(id) and o.organization_id = private.current_org_id() and o.created_by = auth.uid()
                """
            ).first
            guard let row else { throw DatabaseError.notFound("outbox entry") }
            return try Entry(row: row)
        }
    }

    /// The message the caller queued earlier with `key`, and the hash of the request it came
    /// with; nil when the key is new.
    public func entry(idempotencyKey key: String, for identity: Identity) async throws -> (entry: Entry, requestSHA256: Data)? {
        try await self.database.session(identity) { connection in
            let row = try await connection.query(
                """
                select \(unescaped: Entry.columns), o.request_sha256 from public.email_outbox o
                 where o.organization_id = private.current_org_id() and o.created_by = auth.uid()
                   and o.idempotency_key = \(key)
                """
            ).first
            guard let row else { return nil }
            return (try Entry(row: row), try row.decode(Data.self, at: 9))
        }
    }

    /// What queueing with a key did.
    public enum Queued: Sendable, Hashable {
        /// A new outbox row.
        case queued(Entry)
        /// The key was used before with the same request: that row, nothing queued.
        case replayed(Entry)
        /// The key was used before with another request: nothing queued.
        case keyReused
    }

    /// `public.queue_email` with the idempotency key and the request's sha256, then the row.
    public func queue(
        _ draft: EmailOutboxDraft, account: UUID, idempotencyKey key: String, requestSHA256: Data, as identity: Identity
    ) async throws -> Queued {
        try await self.database.session(identity) { connection in
            let row = try await connection.query(
                """
                select outbox_id, outcome from public.queue_email(
                  \(account), \(draft.messageID), \(draft.fromAddress), \(draft.toAddresses), \(draft.ccAddresses),
                  \(draft.bccAddresses), \(draft.subject), \(draft.rawMIME), \(draft.inReplyTo), \(draft.referencesIDs),
                  \(key), \(requestSHA256))
                """
            ).first
            guard let row else { throw DatabaseError.unexpected("queue_email returned no row") }
            let outcome = try row.decode(String.self, at: 1)
            guard let id = try row.decode(UUID?.self, at: 0) else { return .keyReused }
            let entryRow = try await connection.query(
                "select \(unescaped: Entry.columns) from public.email_outbox o where o.id = \(id) and o.organization_id = private.current_org_id()"
            ).first
            guard let entryRow else { throw DatabaseError.unexpected("the queued message is not visible to its sender") }
            let entry = try Entry(row: entryRow)
            return outcome == "replayed" ? .replayed(entry) : .queued(entry)
        }
    }
}
