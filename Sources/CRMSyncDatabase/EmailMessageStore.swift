import Foundation
import PostgresClient

/// Mail as a person reads it through the API: listings, search, one message with its
/// attachments, and what an attachment download needs.
///
/// Every read runs in the caller's session through `public.email_messages_visible`, so row-level
/// security and the account's sharing level decide what exists and which columns are filled;
/// nothing here filters by tenant or level. An account or message the caller cannot see reads
/// as absent (`DatabaseError.notFound` / nil), never as refused.
public struct EmailMessageStore: Sendable {
    public let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    static let summaryColumns = """
        m.id, m.organization_id, m.email_account_id, m.thread_id, m.from_address, m.to_addresses, m.cc_addresses, m.subject,
        m.snippet, m.received_at, m.sent_at, m.direction, m.has_attachments, m.is_read, m.access,
        to_char(m.listed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as listed_key
        """

    /// One page in the order listed_at desc, id desc. Throws `.notFound` for an account the
    /// caller cannot see (not among `public.shared_email_accounts()`).
    public func list(_ filter: EmailMessageFilter, for identity: Identity) async throws -> EmailMessagePage {
        let limit = max(1, min(filter.limit, 500))
        return try await self.database.session(identity) { connection in
            if let account = filter.account {
                let visible = try await connection.query("select 1 from public.shared_email_accounts() where id = \(account)").first
                if visible == nil { throw DatabaseError.notFound("email account") }
            }
            let rows: PostgresRows
            if let query = filter.query {
                rows = try await connection.query(
                    """
                    select \(unescaped: Self.summaryColumns)
                      from public.search_email_messages(\(query), \(filter.account), \(filter.after?.listedAt)::timestamptz,
                                                        \(filter.after?.id), \(limit + 1), \(filter.thread),
                                                        \(filter.participant), \(filter.folder)) k
                      join public.email_messages_visible m on m.organization_id = k.organization_id and m.id = k.id
                     order by m.listed_at desc, m.id desc
                    """)
            } else {
                rows = try await connection.query(
                    """
                    select \(unescaped: Self.summaryColumns)
                      from public.email_messages_visible m
                     where (\(filter.account)::uuid is null or m.email_account_id = \(filter.account))
                       and (\(filter.thread)::text is null or m.thread_id = \(filter.thread))
                       and (\(filter.folder)::text is null or exists (
                             select 1 from public.email_message_locations l
                               join public.email_folders f on f.organization_id = l.organization_id and f.id = l.folder_id
                              where l.organization_id = m.organization_id and l.email_message_id = m.id
                                and f.name = \(filter.folder)))
                       and (\(filter.participant)::text is null or exists (
                             select 1 from public.email_message_participants p
                              where p.organization_id = m.organization_id and p.address = lower(\(filter.participant))
                                and p.email_message_id = m.id))
                       and (\(filter.after?.listedAt)::timestamptz is null
                            or (m.listed_at, m.id) < (\(filter.after?.listedAt)::timestamptz, \(filter.after?.id)::uuid))
                     order by m.listed_at desc, m.id desc
                     limit \(limit + 1)
                    """)
            }
            var messages = try rows.rows.map(Self.summary)
            var next: EmailListCursor?
            if messages.count > limit {
                messages.removeLast(messages.count - limit)
                if let last = messages.last { next = EmailListCursor(listedAt: last.listedAtKey, id: last.id) }
            }
            return EmailMessagePage(messages: messages, next: next)
        }
    }

    /// The message with its attachments; nil when the caller cannot see it.
    public func message(_ id: UUID, for identity: Identity) async throws -> EmailMessageDetail? {
        try await self.database.session(identity) { connection in
            guard
                let row = try await connection.query(
                    """
                    select \(unescaped: Self.summaryColumns), m.provider_message_id, m.internet_message_id, m.in_reply_to,
                           m.references_ids, m.labels, m.size_bytes, m.body_truncated, m.expunged_at, m.body_text, m.body_html,
                           m.created_at, m.updated_at
                      from public.email_messages_visible m where m.id = \(id)
                    """
                ).first
            else { return nil }
            let summary = try Self.summary(row)
            return EmailMessageDetail(
                summary: summary, providerMessageID: try row.decode(String.self, column: "provider_message_id"),
                internetMessageID: try row.decode(String?.self, column: "internet_message_id"),
                inReplyTo: try row.decode(String?.self, column: "in_reply_to"),
                references: try row.decode([String]?.self, column: "references_ids") ?? [],
                labels: try row.decode([String]?.self, column: "labels"), sizeBytes: try row.decode(Int64?.self, column: "size_bytes"),
                bodyTruncated: try row.decode(Bool?.self, column: "body_truncated") ?? false,
                expungedAt: try row.decode(Date?.self, column: "expunged_at"), bodyText: try row.decode(String?.self, column: "body_text"),
                bodyHTML: try row.decode(String?.self, column: "body_html"), createdAt: try row.decode(Date.self, column: "created_at"),
                updatedAt: try row.decode(Date.self, column: "updated_at"),
                attachments: try await Self.attachments(of: id, organization: summary.organizationID, on: connection))
        }
    }

    /// What downloading attachment `attachment` of message `message` needs, decided in the
    /// caller's session (the attachment row is visible only at the `full` level or to the
    /// owner); nil when the caller cannot see it.
    public func attachmentSource(message: UUID, attachment: UUID, for identity: Identity) async throws -> EmailAttachmentSource? {
        try await self.database.session(identity) { connection in
            guard
                let row = try await connection.query(
                    """
                    select m.organization_id, m.email_account_id, m.provider_message_id, s.user_id, s.provider
                      from public.email_messages_visible m
                      join public.shared_email_accounts() s on s.id = m.email_account_id
                     where m.id = \(message) and m.access in ('owner', 'full')
                    """
                ).first
            else { return nil }
            let organization = try row.decode(UUID.self, at: 0)
            let siblings = try await Self.attachments(of: message, organization: organization, on: connection)
            guard let found = siblings.first(where: { $0.id == attachment }) else { return nil }
            return EmailAttachmentSource(
                attachment: found, messageID: message, providerMessageID: try row.decode(String.self, at: 2),
                accountID: try row.decode(UUID.self, at: 1), provider: try row.decode(String.self, at: 4),
                owner: Identity(userID: try row.decode(UUID.self, at: 3), organizationID: organization), siblings: siblings)
        }
    }

    /// Where the message sits on its IMAP server, read in the owner's worker session (locations
    /// are the owner's only); the inbox first. Nil when it is in no synced folder.
    public func location(of message: UUID, as owner: Identity) async throws -> EmailMessageLocation? {
        try await self.database.session(owner, role: .worker) { connection in
            guard
                let row = try await connection.query(
                    """
                    select f.name, f.uidvalidity, l.uid
                      from public.email_message_locations l
                      join public.email_folders f on f.organization_id = l.organization_id and f.id = l.folder_id
                     where l.organization_id = \(owner.organizationID) and l.email_message_id = \(message)
                     order by (f.role = 'inbox') desc, l.updated_at desc
                     limit 1
                    """
                ).first
            else { return nil }
            return EmailMessageLocation(
                folder: try row.decode(String.self, at: 0), uidValidity: try row.decode(Int64?.self, at: 1),
                uid: try row.decode(Int64.self, at: 2))
        }
    }

    static func attachments(of message: UUID, organization: UUID, on connection: PostgresConnection) async throws -> [EmailAttachmentInfo] {
        try await connection.query(
            """
            select id, filename, content_type, size_bytes, is_inline, provider_attachment_id
              from public.email_attachments
             where organization_id = \(organization) and email_message_id = \(message)
             order by case when provider_attachment_id ~ '^[0-9]{1,6}(\\.[0-9]{1,6})*$'
                           then string_to_array(provider_attachment_id, '.')::int[] end nulls last, id
            """
        ).rows.map { row in
            EmailAttachmentInfo(
                id: try row.decode(UUID.self, at: 0), filename: try row.decode(String?.self, at: 1),
                contentType: try row.decode(String?.self, at: 2), sizeBytes: try row.decode(Int64?.self, at: 3),
                inline: try row.decode(Bool.self, at: 4), partPath: try row.decode(String?.self, at: 5))
        }
    }

    static func summary(_ row: PostgresRow) throws -> EmailMessageSummary {
        EmailMessageSummary(
            id: try row.decode(UUID.self, column: "id"), organizationID: try row.decode(UUID.self, column: "organization_id"),
            accountID: try row.decode(UUID.self, column: "email_account_id"), threadID: try row.decode(String?.self, column: "thread_id"),
            from: try row.decode(String?.self, column: "from_address"), to: try row.decode([String]?.self, column: "to_addresses") ?? [],
            cc: try row.decode([String]?.self, column: "cc_addresses") ?? [], subject: try row.decode(String?.self, column: "subject"),
            snippet: try row.decode(String?.self, column: "snippet"), receivedAt: try row.decode(Date?.self, column: "received_at"),
            sentAt: try row.decode(Date?.self, column: "sent_at"), listedAtKey: try row.decode(String.self, column: "listed_key"),
            direction: try row.decode(String.self, column: "direction"),
            hasAttachments: try row.decode(Bool?.self, column: "has_attachments") ?? false,
            isRead: try row.decode(Bool?.self, column: "is_read"), access: try row.decode(String.self, column: "access"))
    }
}
