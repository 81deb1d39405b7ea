import CRMSyncMIME
import CRMSyncMail
import CRMSyncSupport
import Foundation

/// The body of `POST /v1/mail/messages`, its checks, and the sha256 that tells a retried
/// request from another one under the same `Idempotency-Key`.
struct MailSendRequest: JSONRequestBody {
    static let fields: Set<String> = [
        "account_id", "to", "cc", "bcc", "subject", "text", "html", "reply_to", "forward_of", "attachments",
    ]
    var accountID: UUID
    var to: [String]?
    var cc: [String]?
    var bcc: [String]?
    var subject: String?
    var text: String?
    var html: String?
    /// An `email_messages` id the caller can see.
    var replyTo: UUID?
    var forwardOf: UUID?
    var attachments: [Attachment]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case to, cc, bcc, subject, text, html, attachments
        case accountID = "account_id"
        case replyTo = "reply_to"
        case forwardOf = "forward_of"
    }

    struct Attachment: Codable, Sendable {
        var filename: String
        var contentType: String
        var contentBase64: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case filename
            case contentType = "content_type"
            case contentBase64 = "content_base64"
        }

        init(from decoder: any Decoder) throws {
            try NestedObjectKeys.refuseUnknown(in: decoder, known: Set(CodingKeys.allCases.map(\.rawValue)))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.filename = try container.decode(String.self, forKey: .filename)
            self.contentType = try container.decode(String.self, forKey: .contentType)
            self.contentBase64 = try container.decode(String.self, forKey: .contentBase64)
        }
    }

    /// At most this many recipients (to, cc and bcc together).
    static let maxRecipients = 100

    /// Refuses what cannot make a sound message (400, naming the field, never echoing a value);
    /// returns the attachments decoded.
    func validated() throws -> [MailDraft.Attachment] {
        let to = self.to ?? [], cc = self.cc ?? [], bcc = self.bcc ?? []
        guard !(to + cc + bcc).isEmpty else { throw APIError.badRequest("invalid_field", "a message needs a recipient (to, cc or bcc)") }
        guard to.count + cc.count + bcc.count <= Self.maxRecipients else {
            throw APIError.badRequest("invalid_field", "at most \(Self.maxRecipients) recipients")
        }
        for (field, list) in [("to", to), ("cc", cc), ("bcc", bcc)] {
            for (index, value) in list.enumerated() where value.utf8.count > 998 || !MailOutbox.isAddressList(value) || Self.hasControl(value) {
                throw APIError.badRequest("invalid_field", "\(field).\(index) is not an email address")
            }
        }
        if let subject = self.subject, subject.unicodeScalars.count > 998 || Self.hasControl(subject) {
            throw APIError.badRequest("invalid_field", "subject must be at most 998 characters, no control characters")
        }
        guard self.text != nil || self.html != nil || self.forwardOf != nil else {
            throw APIError.badRequest("invalid_field", "give text, html or both")
        }
        for (field, value) in [("text", self.text), ("html", self.html)] where value?.contains("\u{0}") == true {
            throw APIError.badRequest("invalid_field", "\(field) may not hold NUL characters")
        }
        guard self.replyTo == nil || self.forwardOf == nil else {
            throw APIError.badRequest("invalid_field", "give reply_to or forward_of, not both")
        }
        let attachments = self.attachments ?? []
        guard attachments.count <= 20 else { throw APIError.badRequest("invalid_field", "at most 20 attachments") }
        return try attachments.enumerated().map { index, attachment in
            guard (1...255).contains(attachment.filename.unicodeScalars.count), !Self.hasControl(attachment.filename),
                !attachment.filename.contains("/")
            else { throw APIError.badRequest("invalid_field", "attachments.\(index).filename must be 1 to 255 characters, no control characters or /") }
            guard Self.isContentType(attachment.contentType) else {
                throw APIError.badRequest("invalid_field", "attachments.\(index).content_type must be a MIME type such as application/pdf")
            }
            guard let data = Data(base64Encoded: attachment.contentBase64) else {
                throw APIError.badRequest("invalid_field", "attachments.\(index).content_base64 is not base64")
            }
            return MailDraft.Attachment(filename: attachment.filename, contentType: attachment.contentType.lowercased(), data: Array(data))
        }
    }

    /// sha256 of the request in one canonical form (sorted keys, the account id lowercased).
    func sha256() throws -> Data {
        struct Canonical: Encodable {
            var accountID: String, to: [String], cc: [String], bcc: [String], subject: String?, text: String?, html: String?
            var replyTo: String?, forwardOf: String?, attachments: [Attachment]
        }
        let canonical = Canonical(
            accountID: self.accountID.lowercased, to: self.to ?? [], cc: self.cc ?? [], bcc: self.bcc ?? [], subject: self.subject,
            text: self.text, html: self.html, replyTo: self.replyTo?.lowercased, forwardOf: self.forwardOf?.lowercased,
            attachments: self.attachments ?? [])
        return Data(SHA256.hash(try JSONCoding.encoder().encode(canonical)))
    }

    static func hasControl(_ value: String) -> Bool {
        value.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// `type/subtype` of RFC 2045 token characters (no parameters: the builder adds the name).
    static func isContentType(_ value: String) -> Bool {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        let token = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~").union(.alphanumerics)
        return value.utf8.count <= 255 && !Self.hasControl(value) && parts.count == 2
            && parts.allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy { $0.isASCII && token.contains($0) } }
    }
}
