import Foundation

// The values EmailMessageStore returns: what a person may read of mail, as
// `public.email_messages_visible` masks it for them (subject, snippet and bodies are nil below
// the account's sharing level).

/// One message in a listing.
public struct EmailMessageSummary: Sendable, Hashable {
    public var id: UUID
    public var organizationID: UUID
    public var accountID: UUID
    public var threadID: String?
    public var from: String?
    public var to: [String]
    public var cc: [String]
    public var subject: String?
    public var snippet: String?
    public var receivedAt: Date?
    public var sentAt: Date?
    /// The list order key in UTC, exact to the microsecond (`2026-12-01T10:00:00.000000Z`), for cursors.
    public var listedAtKey: String
    /// `inbound` or `outbound`.
    public var direction: String
    public var hasAttachments: Bool
    /// Nil unless the caller owns the mailbox.
    public var isRead: Bool?
    /// `owner`, `full`, `subject` or `metadata`.
    public var access: String
}

/// One message with everything the caller may see of it.
public struct EmailMessageDetail: Sendable, Hashable {
    public var summary: EmailMessageSummary
    public var providerMessageID: String
    public var internetMessageID: String?
    public var inReplyTo: String?
    public var references: [String]
    /// Nil unless the caller owns the mailbox.
    public var labels: [String]?
    public var sizeBytes: Int64?
    public var bodyTruncated: Bool
    public var expungedAt: Date?
    public var bodyText: String?
    public var bodyHTML: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// Empty below the `full` level (the attachment rows are not visible there).
    public var attachments: [EmailAttachmentInfo]
}

/// An attachment's metadata.
public struct EmailAttachmentInfo: Sendable, Hashable {
    public var id: UUID
    public var filename: String?
    public var contentType: String?
    public var sizeBytes: Int64?
    public var inline: Bool
    /// The MIME part path ("2", "1.2").
    public var partPath: String?
}

/// Where a listing continues: after (listed_at, id) in the order listed_at desc, id desc.
public struct EmailListCursor: Sendable, Hashable {
    /// `listed_at` as `EmailMessageSummary.listedAtKey` spells it.
    public var listedAt: String
    public var id: UUID

    public init(listedAt: String, id: UUID) {
        self.listedAt = listedAt
        self.id = id
    }
}

/// What a listing is narrowed to.
public struct EmailMessageFilter: Sendable, Hashable {
    public var account: UUID?
    /// A folder name of `account` (only the owner's locations are visible).
    public var folder: String?
    public var thread: String?
    /// A bare address, compared lower-cased.
    public var participant: String?
    /// Full-text search (`public.search_email_messages`), narrowed by the other filters.
    public var query: String?
    public var after: EmailListCursor?
    public var limit: Int

    public init(
        account: UUID? = nil, folder: String? = nil, thread: String? = nil, participant: String? = nil, query: String? = nil,
        after: EmailListCursor? = nil, limit: Int = 50
    ) {
        self.account = account
        self.folder = folder
        self.thread = thread
        self.participant = participant
        self.query = query
        self.after = after
        self.limit = limit
    }
}

/// One page of a listing and where the next one starts (nil on the last page).
public struct EmailMessagePage: Sendable, Hashable {
    public var messages: [EmailMessageSummary]
    public var next: EmailListCursor?
}

/// What the attachment download needs: the attachment, its message at the provider, and the
/// mailbox owner whose credentials fetch it.
public struct EmailAttachmentSource: Sendable, Hashable {
    public var attachment: EmailAttachmentInfo
    public var messageID: UUID
    public var providerMessageID: String
    public var accountID: UUID
    /// `gmail`, `outlook`, `apple` or `imap`.
    public var provider: String
    public var owner: Identity
    /// The message's attachments in part order (providers that number them need the position).
    public var siblings: [EmailAttachmentInfo]
}

/// Where an IMAP message sits: folder, its UIDVALIDITY and the UID.
public struct EmailMessageLocation: Sendable, Hashable {
    public var folder: String
    public var uidValidity: Int64?
    public var uid: Int64
}
