import CRMSyncDatabase
import CRMSyncMIME
import CRMSyncSupport
import Foundation

/// One message as the CRM stores it, read from its raw RFC 5322 bytes with the one MIME parser
/// (IMAP hands over raw messages; Gmail's `format=raw` and Graph's `/$value` do too).
///
/// Malformed input never fails: the parser keeps what it could read, and a message without a
/// Message-ID is keyed by the SHA-256 of its bytes, so the same copy in two folders is still one row.
struct ParsedMail: Sendable {
    /// The dedup key within an account: the Message-ID (no brackets, as the outbox records sent
    /// mail) or `sha256:<hex>` of the bytes.
    var key: String
    var messageID: String?
    var from: String?
    var to: [String]
    var cc: [String]
    var subject: String?
    var snippet: String?
    var text: String?
    var html: String?
    var truncated: Bool
    var date: Date?
    var inReplyTo: String?
    var references: [String]
    var attachments: [MIMEAttachment]

    /// Characters of body text kept as the snippet.
    static let snippetLength = 200

    init(raw: [UInt8], parser: MIMEParser) {
        let message = parser.parse(raw)
        if let id = message.messageID, !id.isEmpty {
            self.key = id
        } else {
            self.key = "sha256:" + SHA256.hash(raw).map { String(format: "%02x", $0) }.joined()
        }
        self.messageID = message.messageID
        self.from = message.from.first.map(Self.render)
        self.to = message.to.map(Self.render)
        self.cc = message.cc.map(Self.render)
        self.subject = message.subject
        self.text = message.textBody?.content
        self.html = message.htmlBody?.content
        self.truncated = message.textBody?.isTruncated == true || message.htmlBody?.isTruncated == true
        self.date = message.date
        self.inReplyTo = message.inReplyTo.first
        self.references = message.references
        self.attachments = message.attachments
        self.snippet = Self.snippet(text: self.text, html: self.html)
    }

    /// `Name <address>` when there is a name, else the address.
    static func render(_ address: MailAddress) -> String {
        guard let name = address.name, !name.isEmpty else { return address.address }
        return "\(name) <\(address.address)>"
    }

    /// The first words of the text body, or of the HTML with its tags dropped.
    static func snippet(text: String?, html: String?) -> String? {
        let source = text.flatMap { $0.isEmpty ? nil : $0 } ?? html.map(Self.stripTags)
        guard let source else { return nil }
        let words = source.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return words.isEmpty ? nil : String(words.prefix(Self.snippetLength))
    }

    private static func stripTags(_ html: String) -> String {
        var out = ""
        var inTag = false
        for character in html {
            switch character {
            case "<": inTag = true
            case ">": inTag = false; out.append(" ")
            default: if !inTag { out.append(character) }
            }
        }
        return out
    }
}

extension ParsedMail {
    /// The row the import functions store for this message; the provider's own facts (id,
    /// thread, labels, read state, IMAP location) are given or set by the caller.
    func importRow(
        providerMessageID: String, threadID: String? = nil, receivedAt: Date?, sizeBytes: Int64, outbound: Bool,
        labels: [String] = [], isRead: Bool? = nil
    ) -> EmailImportMessage {
        EmailImportMessage(
            providerMessageID: providerMessageID, internetMessageID: self.messageID, threadID: threadID,
            fromAddress: self.from, toAddresses: self.to, ccAddresses: self.cc, subject: self.subject,
            snippet: self.snippet, bodyText: self.text, bodyHTML: self.html, bodyTruncated: self.truncated,
            receivedAt: receivedAt, sizeBytes: sizeBytes, inReplyTo: self.inReplyTo, referencesIDs: self.references,
            direction: outbound ? .outbound : .inbound, labels: labels, isRead: isRead,
            attachments: self.attachments.map {
                EmailImportAttachment(
                    filename: $0.filename, contentType: $0.contentType, sizeBytes: Int64($0.size), contentID: $0.contentID,
                    providerAttachmentID: $0.partPath, inline: $0.disposition == .inline)
            })
    }

    /// The bare address of a rendered `Name <address>`.
    static func address(in rendered: String) -> String {
        guard let open = rendered.lastIndex(of: "<"), let close = rendered.lastIndex(of: ">"), open < close else { return rendered }
        return String(rendered[rendered.index(after: open)..<close])
    }
}
