import Foundation

/// A parsed RFC 5322 message.
public struct MIMEMessage: Sendable {
    public var headers: MIMEHeaders
    public var root: MIMEPart

    public var subject: String?
    public var from: [MailAddress]
    public var sender: [MailAddress]
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var bcc: [MailAddress]
    public var replyTo: [MailAddress]
    /// Message-ID without angle brackets.
    public var messageID: String?
    public var inReplyTo: [String]
    public var references: [String]
    /// The Date header; nil when absent or unreadable.
    public var date: Date?

    /// The text body (text/plain parts, several joined by a blank line), line ends as LF.
    public var textBody: MIMEBodyText?
    /// The HTML body, line ends as LF.
    public var htmlBody: MIMEBodyText?
    /// Every part that is not body text: files, inline images, attached messages.
    public var attachments: [MIMEAttachment]
    /// What was malformed and worked around.
    public var problems: [MIMEProblem]

    /// The part at an IMAP section path ("1", "2.1").
    public func part(at path: String) -> MIMEPart? { self.root.part(at: path) }

    /// Decoded bytes of the part at `path`, or nil when there is no such part.
    public func decodedContent(ofPart path: String) -> [UInt8]? { self.part(at: path)?.decodedContent() }

    /// Messages inside message/rfc822 parts, as a list (not nested further).
    public var attachedMessages: [MIMEMessage] {
        self.attachments.compactMap { self.part(at: $0.partPath)?.embeddedMessage }
    }
}

/// Body text of one kind and whether it was cut at the size cap.
public struct MIMEBodyText: Sendable, Equatable {
    public var content: String
    /// True when content was cut at `MIMEParser.Options.maxBodyBytes` (never silently).
    public var isTruncated: Bool
    /// The parts it came from.
    public var partPaths: [String]
}

/// Metadata of an attachment (or inline resource); its content is fetched by `partPath`.
public struct MIMEAttachment: Sendable, Equatable {
    public enum Disposition: String, Sendable {
        case inline, attachment
    }

    public var filename: String?
    /// Lower-case `type/subtype`.
    public var contentType: String
    /// Decoded size in bytes.
    public var size: Int
    /// Content-ID without angle brackets (`cid:` references in HTML).
    public var contentID: String?
    public var disposition: Disposition
    public var partPath: String
}
