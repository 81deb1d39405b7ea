import Foundation
import PostgresClient

/// One message of an import batch, as `public.import_email_messages` reads it (encoded as one
/// element of its JSON array, snake_case keys, timestamps as ISO 8601 text).
///
/// For IMAP, `providerMessageID` is the Message-ID (or `sha256:<hex>` of the message when it
/// has none), so one message found in several folders is one row with several locations.
public struct EmailImportMessage: Sendable, Hashable, Codable {
    public var providerMessageID: String
    public var internetMessageID: String?
    /// The provider's thread (Gmail `threadId`, Graph `conversationId`); nil lets the
    /// database thread it by In-Reply-To/References.
    public var threadID: String?
    public var fromAddress: String?
    public var toAddresses: [String]
    public var ccAddresses: [String]
    public var subject: String?
    public var snippet: String?
    public var bodyText: String?
    public var bodyHTML: String?
    /// The bodies were cut to the engine's limit.
    public var bodyTruncated: Bool
    public var receivedAt: Date?
    public var sizeBytes: Int64?
    public var inReplyTo: String?
    /// The References header, oldest first.
    public var referencesIDs: [String]
    public var direction: EmailDirection
    public var labels: [String]
    /// Read, as the provider says (Gmail, Graph); IMAP derives it from the `\Seen` flag instead.
    public var isRead: Bool?
    /// The message's UID in the folder the batch was fetched from (IMAP only).
    public var uid: Int64?
    /// IMAP flags there (`\Seen` makes the message read).
    public var flags: [String]
    public var modseq: Int64?
    /// Stored only the first time the message is imported.
    public var attachments: [EmailImportAttachment]

    public init(
        providerMessageID: String, internetMessageID: String? = nil, threadID: String? = nil, fromAddress: String? = nil,
        toAddresses: [String] = [], ccAddresses: [String] = [], subject: String? = nil, snippet: String? = nil,
        bodyText: String? = nil, bodyHTML: String? = nil, bodyTruncated: Bool = false, receivedAt: Date? = nil,
        sizeBytes: Int64? = nil, inReplyTo: String? = nil, referencesIDs: [String] = [], direction: EmailDirection = .inbound,
        labels: [String] = [], isRead: Bool? = nil, uid: Int64? = nil, flags: [String] = [], modseq: Int64? = nil,
        attachments: [EmailImportAttachment] = []
    ) {
        self.providerMessageID = providerMessageID
        self.internetMessageID = internetMessageID
        self.threadID = threadID
        self.fromAddress = fromAddress
        self.toAddresses = toAddresses
        self.ccAddresses = ccAddresses
        self.subject = subject
        self.snippet = snippet
        self.bodyText = bodyText
        self.bodyHTML = bodyHTML
        self.bodyTruncated = bodyTruncated
        self.receivedAt = receivedAt
        self.sizeBytes = sizeBytes
        self.inReplyTo = inReplyTo
        self.referencesIDs = referencesIDs
        self.direction = direction
        self.labels = labels
        self.isRead = isRead
        self.uid = uid
        self.flags = flags
        self.modseq = modseq
        self.attachments = attachments
    }

    enum CodingKeys: String, CodingKey {
        case providerMessageID = "provider_message_id", internetMessageID = "internet_message_id"
        case threadID = "thread_id", fromAddress = "from_address", toAddresses = "to_addresses"
        case ccAddresses = "cc_addresses", subject, snippet, bodyText = "body_text", bodyHTML = "body_html"
        case bodyTruncated = "body_truncated", receivedAt = "received_at", sizeBytes = "size_bytes"
        case inReplyTo = "in_reply_to", referencesIDs = "references_ids", direction, labels, isRead = "is_read", uid, flags, modseq
        case attachments
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.providerMessageID = try c.decode(String.self, forKey: .providerMessageID)
        self.internetMessageID = try c.decodeIfPresent(String.self, forKey: .internetMessageID)
        self.threadID = try c.decodeIfPresent(String.self, forKey: .threadID)
        self.fromAddress = try c.decodeIfPresent(String.self, forKey: .fromAddress)
        self.toAddresses = try c.decodeIfPresent([String].self, forKey: .toAddresses) ?? []
        self.ccAddresses = try c.decodeIfPresent([String].self, forKey: .ccAddresses) ?? []
        self.subject = try c.decodeIfPresent(String.self, forKey: .subject)
        self.snippet = try c.decodeIfPresent(String.self, forKey: .snippet)
        self.bodyText = try c.decodeIfPresent(String.self, forKey: .bodyText)
        self.bodyHTML = try c.decodeIfPresent(String.self, forKey: .bodyHTML)
        self.bodyTruncated = try c.decodeIfPresent(Bool.self, forKey: .bodyTruncated) ?? false
        self.receivedAt = try c.decodeIfPresent(String.self, forKey: .receivedAt).map { text in
            guard let date = Date(postgresText: text) else {
                throw DecodingError.dataCorruptedError(forKey: .receivedAt, in: c, debugDescription: "not a timestamp")
            }
            return date
        }
        self.sizeBytes = try c.decodeIfPresent(Int64.self, forKey: .sizeBytes)
        self.inReplyTo = try c.decodeIfPresent(String.self, forKey: .inReplyTo)
        self.referencesIDs = try c.decodeIfPresent([String].self, forKey: .referencesIDs) ?? []
        self.direction = try c.decodeIfPresent(EmailDirection.self, forKey: .direction) ?? .inbound
        self.labels = try c.decodeIfPresent([String].self, forKey: .labels) ?? []
        self.isRead = try c.decodeIfPresent(Bool.self, forKey: .isRead)
        self.uid = try c.decodeIfPresent(Int64.self, forKey: .uid)
        self.flags = try c.decodeIfPresent([String].self, forKey: .flags) ?? []
        self.modseq = try c.decodeIfPresent(Int64.self, forKey: .modseq)
        self.attachments = try c.decodeIfPresent([EmailImportAttachment].self, forKey: .attachments) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.providerMessageID, forKey: .providerMessageID)
        try c.encodeIfPresent(self.internetMessageID, forKey: .internetMessageID)
        try c.encodeIfPresent(self.threadID, forKey: .threadID)
        try c.encodeIfPresent(self.fromAddress, forKey: .fromAddress)
        try c.encode(self.toAddresses, forKey: .toAddresses)
        try c.encode(self.ccAddresses, forKey: .ccAddresses)
        try c.encodeIfPresent(self.subject, forKey: .subject)
        try c.encodeIfPresent(self.snippet, forKey: .snippet)
        try c.encodeIfPresent(self.bodyText, forKey: .bodyText)
        try c.encodeIfPresent(self.bodyHTML, forKey: .bodyHTML)
        try c.encode(self.bodyTruncated, forKey: .bodyTruncated)
        // Postgres's own text form (UTC, microseconds), not JSONEncoder's seconds since 2001.
        try c.encodeIfPresent(self.receivedAt?.postgresText, forKey: .receivedAt)
        try c.encodeIfPresent(self.sizeBytes, forKey: .sizeBytes)
        try c.encodeIfPresent(self.inReplyTo, forKey: .inReplyTo)
        try c.encode(self.referencesIDs, forKey: .referencesIDs)
        try c.encode(self.direction, forKey: .direction)
        try c.encode(self.labels, forKey: .labels)
        try c.encodeIfPresent(self.isRead, forKey: .isRead)
        try c.encodeIfPresent(self.uid, forKey: .uid)
        try c.encode(self.flags, forKey: .flags)
        try c.encodeIfPresent(self.modseq, forKey: .modseq)
        try c.encode(self.attachments, forKey: .attachments)
    }
}

/// Whether a message came in or was sent from the mailbox.
public enum EmailDirection: String, Sendable, Hashable, Codable {
    case inbound, outbound
}

/// Metadata of one attachment (the content stays at the provider).
public struct EmailImportAttachment: Sendable, Hashable, Codable {
    public var filename: String?
    public var contentType: String?
    public var sizeBytes: Int64?
    public var contentID: String?
    public var providerAttachmentID: String?
    public var inline: Bool

    public init(
        filename: String? = nil, contentType: String? = nil, sizeBytes: Int64? = nil, contentID: String? = nil,
        providerAttachmentID: String? = nil, inline: Bool = false
    ) {
        self.filename = filename
        self.contentType = contentType
        self.sizeBytes = sizeBytes
        self.contentID = contentID
        self.providerAttachmentID = providerAttachmentID
        self.inline = inline
    }

    enum CodingKeys: String, CodingKey {
        case filename, contentType = "content_type", sizeBytes = "size_bytes", contentID = "content_id"
        case providerAttachmentID = "provider_attachment_id", inline
    }
}

/// Where a folder's sync stands: written with each batch, never moving `lastUID` or
/// `highestModSeq` backwards. Nil fields keep the stored values.
public struct EmailFolderCursor: Sendable, Hashable, Codable {
    public var uidValidity: Int64?
    public var lastUID: Int64?
    /// The HIGHESTMODSEQ read before the fetch (nil: the server has no CONDSTORE).
    public var highestModSeq: Int64?
    /// This batch ends a full scan of the folder (sets `last_full_scan_at`).
    public var fullScan: Bool

    public init(uidValidity: Int64?, lastUID: Int64?, highestModSeq: Int64? = nil, fullScan: Bool = false) {
        self.uidValidity = uidValidity
        self.lastUID = lastUID
        self.highestModSeq = highestModSeq
        self.fullScan = fullScan
    }

    enum CodingKeys: String, CodingKey {
        case uidValidity = "uidvalidity", lastUID = "last_uid", highestModSeq = "highestmodseq", fullScan = "full_scan"
    }
}

/// New flags of one UID of a folder (CONDSTORE `CHANGEDSINCE`).
public struct EmailFlagChange: Sendable, Hashable, Codable {
    public var uid: Int64
    public var flags: [String]
    public var modseq: Int64?

    public init(uid: Int64, flags: [String], modseq: Int64? = nil) {
        self.uid = uid
        self.flags = flags
        self.modseq = modseq
    }
}
