import CRMSyncDatabase
import Foundation

/// A message in a listing. `subject` and `snippet` are always present, null when the
/// mailbox's sharing level hides them from the caller.
struct MessageSummaryView: Encodable {
    var message: EmailMessageSummary

    init(_ message: EmailMessageSummary) {
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case id, from, to, cc, subject, snippet, direction, access
        case accountID = "account_id"
        case threadID = "thread_id"
        case receivedAt = "received_at"
        case sentAt = "sent_at"
        case hasAttachments = "has_attachments"
        case isRead = "is_read"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try Self.encodeSummary(self.message, into: &container)
    }

    static func encodeSummary(_ message: EmailMessageSummary, into container: inout KeyedEncodingContainer<CodingKeys>) throws {
        try container.encode(message.id.lowercased, forKey: .id)
        try container.encode(message.accountID.lowercased, forKey: .accountID)
        try container.encode(message.threadID, forKey: .threadID)
        try container.encode(message.from, forKey: .from)
        try container.encode(message.to, forKey: .to)
        try container.encode(message.cc, forKey: .cc)
        try container.encode(message.subject, forKey: .subject)
        try container.encode(message.snippet, forKey: .snippet)
        try container.encode(message.receivedAt, forKey: .receivedAt)
        try container.encode(message.sentAt, forKey: .sentAt)
        try container.encode(message.direction, forKey: .direction)
        try container.encode(message.hasAttachments, forKey: .hasAttachments)
        try container.encode(message.isRead, forKey: .isRead)
        try container.encode(message.access, forKey: .access)
    }
}

/// One message: the summary's fields, the headers the view gives, the bodies when the caller
/// may read them (absent otherwise) and the attachments' metadata with their download URLs.
struct MessageDetailView: Encodable {
    var message: EmailMessageDetail

    init(_ message: EmailMessageDetail) {
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case references, labels, attachments
        case internetMessageID = "internet_message_id"
        case inReplyTo = "in_reply_to"
        case sizeBytes = "size_bytes"
        case bodyTruncated = "body_truncated"
        case expungedAt = "expunged_at"
        case bodyText = "body_text"
        case bodyHTML = "body_html"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var summary = encoder.container(keyedBy: MessageSummaryView.CodingKeys.self)
        try MessageSummaryView.encodeSummary(self.message.summary, into: &summary)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.message.internetMessageID, forKey: .internetMessageID)
        try container.encode(self.message.inReplyTo, forKey: .inReplyTo)
        try container.encode(self.message.references, forKey: .references)
        try container.encode(self.message.labels, forKey: .labels)
        try container.encode(self.message.sizeBytes, forKey: .sizeBytes)
        try container.encode(self.message.bodyTruncated, forKey: .bodyTruncated)
        try container.encode(self.message.expungedAt, forKey: .expungedAt)
        try container.encodeIfPresent(self.message.bodyText, forKey: .bodyText)
        try container.encodeIfPresent(self.message.bodyHTML, forKey: .bodyHTML)
        try container.encode(self.message.createdAt, forKey: .createdAt)
        try container.encode(self.message.updatedAt, forKey: .updatedAt)
        let messageID = self.message.summary.id
        try container.encode(self.message.attachments.map { AttachmentView(attachment: $0, message: messageID) }, forKey: .attachments)
    }
}

/// An attachment's metadata and where its content is downloaded.
struct AttachmentView: Encodable {
    var attachment: EmailAttachmentInfo
    var message: UUID

    enum CodingKeys: String, CodingKey {
        case id, filename, inline
        case contentType = "content_type"
        case sizeBytes = "size_bytes"
        case contentURL = "content_url"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.attachment.id.lowercased, forKey: .id)
        try container.encode(self.attachment.filename, forKey: .filename)
        try container.encode(self.attachment.contentType, forKey: .contentType)
        try container.encode(self.attachment.sizeBytes, forKey: .sizeBytes)
        try container.encode(self.attachment.inline, forKey: .inline)
        try container.encode(
            "/v1/mail/messages/\(self.message.lowercased)/attachments/\(self.attachment.id.lowercased)", forKey: .contentURL)
    }
}
