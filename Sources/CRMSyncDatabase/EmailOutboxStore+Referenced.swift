import Foundation
import PostgresClient

/// The message a reply answers or a forward passes on, read through
/// `public.email_messages_visible`: any message the caller may see (their own mailboxes, and
/// colleagues' shared ones at the level the owner chose), with what that level shows.
extension EmailOutboxStore {
    public struct ReferencedMessage: Sendable, Hashable {
        public var id: UUID
        public var accountID: UUID
        /// The Message-ID header (nil when the message had none).
        public var internetMessageID: String?
        public var references: [String]
        /// Nil below the `subject` level.
        public var subject: String?
        public var fromAddress: String?
        public var toAddresses: [String]
        public var ccAddresses: [String]
        public var date: Date?
        /// Nil below the `full` level.
        public var bodyText: String?
    }

    /// The message `id` as the caller sees it; `DatabaseError.notFound` when they cannot.
    public func referencedMessage(_ id: UUID, for identity: Identity) async throws -> ReferencedMessage {
        try await self.database.session(identity) { connection in
            let row = try await connection.query(
                """
                select m.id, m.email_account_id, m.internet_message_id, m.references_ids, m.subject, m.from_address,
                       m.to_addresses, m.cc_addresses, coalesce(m.received_at, m.sent_at), m.body_text
                  from public.email_messages_visible m
                 where m.id = \(id) and m.organization_id = private.current_org_id()
                """
            ).first
            guard let row else { throw DatabaseError.notFound("email message") }
            return ReferencedMessage(
                id: try row.decode(UUID.self, at: 0), accountID: try row.decode(UUID.self, at: 1),
                internetMessageID: try row.decode(String?.self, at: 2), references: try row.decode([String]?.self, at: 3) ?? [],
                subject: try row.decode(String?.self, at: 4), fromAddress: try row.decode(String?.self, at: 5),
                toAddresses: try row.decode([String]?.self, at: 6) ?? [], ccAddresses: try row.decode([String]?.self, at: 7) ?? [],
                date: try row.decode(Date?.self, at: 8), bodyText: try row.decode(String?.self, at: 9))
        }
    }
}
