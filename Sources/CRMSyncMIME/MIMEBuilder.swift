import Foundation

/// A message to send. The Message-ID is fixed when the draft is made (given, or generated with
/// the sender's domain), so an outbox can record it before the first send attempt.
public struct MailDraft: Sendable, Equatable {
    /// Without angle brackets.
    public var messageID: String
    public var date: Date
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    /// Envelope-only recipients: never written into the message.
    public var bcc: [MailAddress]
    public var replyTo: [MailAddress]
    public var subject: String
    /// The Message-ID replied to (without brackets).
    public var inReplyTo: String?
    /// The thread's ids, oldest first (the parent's References plus the parent's Message-ID).
    public var references: [String]
    public var text: String
    public var html: String?
    public var attachments: [Attachment]

    public struct Attachment: Sendable, Equatable {
        public var filename: String
        public var contentType: String
        public var data: [UInt8]
        /// Set for inline resources referenced as `cid:` from the HTML.
        public var contentID: String?

        public init(filename: String, contentType: String = "application/octet-stream", data: [UInt8],
                    contentID: String? = nil) {
            self.filename = filename
            self.contentType = contentType
            self.data = data
            self.contentID = contentID
        }
    }

    public init(messageID: String? = nil, date: Date = Date(), from: MailAddress, to: [MailAddress],
                cc: [MailAddress] = [], bcc: [MailAddress] = [], replyTo: [MailAddress] = [], subject: String,
                inReplyTo: String? = nil, references: [String] = [], text: String, html: String? = nil,
                attachments: [Attachment] = []) {
        self.messageID = messageID ?? Self.generateMessageID(for: from)
        self.date = date
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.inReplyTo = inReplyTo
        self.references = references
        self.text = text
        self.html = html
        self.attachments = attachments
    }

    /// `<random>@<sender's domain>` (or `crmsync.invalid` when the address has no domain).
    public static func generateMessageID(for sender: MailAddress) -> String {
        let domain = sender.address.split(separator: "@").last.map(String.init)
        let host = sender.address.contains("@") && domain.map({ !$0.isEmpty }) == true ? domain! : "crmsync.invalid"
        return "\(UUID().uuidString.lowercased())@\(host)"
    }

    /// The fields of a reply to `parent`: In-Reply-To its id, References its chain plus its id.
    public static func replyThreading(to parent: MIMEMessage) -> (inReplyTo: String?, references: [String]) {
        guard let id = parent.messageID else { return (nil, parent.references) }
        var chain = parent.references.isEmpty ? parent.inReplyTo.prefix(1).map { $0 } : parent.references
        chain.append(id)
        return (id, chain)
    }
}

/// Composes RFC 5322 messages: CRLF line ends only (no bare LF), header lines folded at 78,
/// non-ASCII header text as RFC 2047 words, text as 7bit or quoted-printable, attachments as base64
/// at 76 columns with RFC 2231 names when not ASCII. The output is a pure function of the draft
/// (boundaries derive from the Message-ID), so a retried send writes the same bytes.
/// Dot-stuffing is the SMTP layer's job (libcurl does it), not this one's.
public enum MIMEBuilder {
    public static func build(_ draft: MailDraft) -> [UInt8] {
        var header = HeaderWriter()
        header.add("Date", MailDate.format(draft.date))
        header.addAddresses("From", [draft.from])
        if !draft.to.isEmpty { header.addAddresses("To", draft.to) }
        if !draft.cc.isEmpty { header.addAddresses("Cc", draft.cc) }
        if !draft.replyTo.isEmpty { header.addAddresses("Reply-To", draft.replyTo) }
        header.addText("Subject", draft.subject)
        header.add("Message-ID", "<\(sanitizeID(draft.messageID))>")
        if let parent = draft.inReplyTo { header.add("In-Reply-To", "<\(sanitizeID(parent))>") }
        if !draft.references.isEmpty {
            header.addWords("References", draft.references.map { "<\(sanitizeID($0))>" })
        }
        header.add("MIME-Version", "1.0")

        var boundaries = BoundaryMaker(seed: draft.messageID)
        var body: Entity = textEntity(draft.text, subtype: "plain")
        if let html = draft.html {
            body = .multipart("alternative", [body, textEntity(html, subtype: "html")], boundaries.next())
        }
        let inline = draft.attachments.filter { $0.contentID != nil }
        let attached = draft.attachments.filter { $0.contentID == nil }
        if !inline.isEmpty {
            body = .multipart("related", [body] + inline.map(attachmentEntity), boundaries.next())
        }
        if !attached.isEmpty {
            body = .multipart("mixed", [body] + attached.map(attachmentEntity), boundaries.next())
        }
        var out = header.bytes
        body.write(into: &out, topLevel: true)
        return out
    }

    // MARK: - Entities

    indirect enum Entity {
        case leaf(headers: [(String, String)], content: [UInt8])
        case multipart(String, [Entity], String)

        func write(into out: inout [UInt8], topLevel: Bool) {
            switch self {
            case .leaf(let headers, let content):
                var writer = HeaderWriter()
                for (name, value) in headers { writer.add(name, value) }
                out += writer.bytes
                out += [0x0D, 0x0A]
                out += content
            case .multipart(let subtype, let children, let boundary):
                var writer = HeaderWriter()
                writer.add("Content-Type", "multipart/\(subtype);\r\n boundary=\"\(boundary)\"")
                out += writer.bytes
                out += [0x0D, 0x0A]
                if topLevel { out += Array("This is a multi-part message in MIME format.\r\n".utf8) }
                for child in children {
                    out += Array("\r\n--\(boundary)\r\n".utf8)
                    child.write(into: &out, topLevel: false)
                }
                out += Array("\r\n--\(boundary)--\r\n".utf8)
            }
        }
    }

    static func textEntity(_ text: String, subtype: String) -> Entity {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        let plain = text.utf8.allSatisfy { $0 < 0x80 && ($0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
            && lines.allSatisfy { $0.utf8.count <= 76 && $0.last != " " && $0.last != "\t" && !$0.hasPrefix("From ") }
        let type = "text/\(subtype); charset=utf-8"
        if plain {
            let content = lines.joined(separator: "\r\n")
            return .leaf(headers: [("Content-Type", type), ("Content-Transfer-Encoding", "7bit")],
                         content: Array(content.utf8))
        }
        return .leaf(headers: [("Content-Type", type), ("Content-Transfer-Encoding", "quoted-printable")],
                     content: Array(QuotedPrintable.encode(text).utf8))
    }

    static func attachmentEntity(_ attachment: MailDraft.Attachment) -> Entity {
        let mediaType = MIMEContentType.parse(attachment.contentType)?.mimeType ?? "application/octet-stream"
        let name = sanitizeLine(attachment.filename)
        var headers: [(String, String)] = []
        let disposition = attachment.contentID == nil ? "attachment" : "inline"
        if isSafeQuotable(name) {
            headers.append(("Content-Type", "\(mediaType);\r\n name=\"\(escapeQuoted(name))\""))
            headers.append(("Content-Disposition", "\(disposition);\r\n filename=\"\(escapeQuoted(name))\""))
        } else {
            // RFC 2231 for readers that follow it; RFC 2047 in `name` for those that do not.
            headers.append(("Content-Type", "\(mediaType);\r\n name=\"\(EncodedWord.encode(name, firstLineUsed: 7))\""))
            headers.append(("Content-Disposition", "\(disposition);" + rfc2231Parameter("filename", name)))
        }
        headers.append(("Content-Transfer-Encoding", "base64"))
        if let id = attachment.contentID { headers.append(("Content-ID", "<\(sanitizeID(id))>")) }
        return .leaf(headers: headers, content: Array(Base64.encode(attachment.data, lineLength: 76).utf8))
    }

    /// `filename*0*=utf-8''…; filename*1*=…`, each section on its own folded line under 78.
    static func rfc2231Parameter(_ name: String, _ value: String) -> String {
        let unreserved = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8))
        var pieces: [String] = []
        var current = ""
        let hex = Array("0123456789ABCDEF")
        for character in value {
            var encoded = ""
            for byte in String(character).utf8 {
                if unreserved.contains(byte) {
                    encoded.append(Character(Unicode.Scalar(byte)))
                } else {
                    encoded += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
                }
            }
            if current.count + encoded.count > 50, !current.isEmpty {
                pieces.append(current)
                current = ""
            }
            current += encoded
        }
        pieces.append(current)
        if pieces.count == 1 { return "\r\n \(name)*=utf-8''\(pieces[0])" }
        return pieces.enumerated().map { index, piece in
            "\r\n \(name)*\(index)*=" + (index == 0 ? "utf-8''" : "") + piece + (index < pieces.count - 1 ? ";" : "")
        }.joined()
    }

    static func isSafeQuotable(_ text: String) -> Bool {
        text.utf8.count <= 60 && !EncodedWord.needsEncoding(text)
    }

    static func escapeQuoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// CR and LF in header input become spaces: no header injection through a subject or name.
    static func sanitizeLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
    }

    static func sanitizeID(_ id: String) -> String {
        var text = id.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("<"), text.hasSuffix(">"), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter {
            $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">"
        }))
    }

    /// A display name as phrase words: bare when atext and single spaces, quoted when short ASCII,
    /// else encoded words (which fold). Returned as words the header writer may fold between.
    static func phraseWords(_ name: String, used: Int) -> [String] {
        let name = sanitizeLine(name)
        let atextExtra = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)
        let bare = !name.hasPrefix(" ") && !name.hasSuffix(" ") && !name.contains("  ")
            && name.unicodeScalars.allSatisfy {
                ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) || $0 == " " || atextExtra.contains($0)
            }
        if !EncodedWord.needsEncoding(name) {
            if bare { return name.split(separator: " ").map(String.init) }
            let quoted = "\"\(escapeQuoted(name))\""
            if quoted.count <= 60 { return [quoted] }
        }
        return EncodedWord.encode(name, firstLineUsed: used).components(separatedBy: "\r\n ")
    }
}

/// Writes header fields folded at 78 columns with CRLF ends.
struct HeaderWriter {
    private(set) var bytes: [UInt8] = []

    /// A value already folded where needed (may hold CRLF SP), or short.
    mutating func add(_ name: String, _ value: String) {
        self.bytes += Array("\(name): \(value)\r\n".utf8)
    }

    /// Unstructured text: as is (folded at blanks) when plain ASCII, else encoded words.
    mutating func addText(_ name: String, _ text: String) {
        let clean = MIMEBuilder.sanitizeLine(text)
        if EncodedWord.needsEncoding(clean) || clean.hasPrefix(" ") || clean.hasSuffix(" ") || clean.contains("\t") {
            self.add(name, EncodedWord.encode(clean, firstLineUsed: name.count + 2))
            return
        }
        self.add(name, Self.fold(clean, used: name.count + 2))
    }

    mutating func addAddresses(_ name: String, _ addresses: [MailAddress]) {
        var words: [String] = []
        for (index, address) in addresses.enumerated() {
            let comma = index < addresses.count - 1 ? "," : ""
            let spec = MIMEBuilder.sanitizeID(address.address)
            if let display = address.name, !display.isEmpty {
                words += MIMEBuilder.phraseWords(display, used: words.isEmpty ? name.count + 2 : 1)
                words.append("<\(spec)>" + comma)
            } else {
                words.append(spec + comma)
            }
        }
        self.addWords(name, words)
    }

    /// Items joined by spaces, a fold (CRLF SP) replacing the space where a line would pass 78.
    mutating func addWords(_ name: String, _ items: [String]) {
        var line = name.count + 2
        var value = ""
        for (index, item) in items.enumerated() {
            let firstLineLength = item.split(separator: "\r\n", maxSplits: 1, omittingEmptySubsequences: false).first?.count ?? item.count
            if index > 0 {
                if line + 1 + firstLineLength > 78 {
                    value += "\r\n "
                    line = 1
                } else {
                    value += " "
                    line += 1
                }
            }
            value += item
            if let lastBreak = item.range(of: "\r\n", options: .backwards) {
                line = item.distance(from: lastBreak.upperBound, to: item.endIndex)
            } else {
                line += item.count
            }
        }
        self.add(name, value)
    }

    /// Folds plain text before a blank where the line would pass 78 (unfolding restores it).
    static func fold(_ text: String, used: Int) -> String {
        // Pieces each start at a run of blanks: "a  bc d" → "a", "  bc", " d".
        var pieces: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        var previousWasSpace = false
        while index < text.endIndex {
            let isSpace = text[index] == " "
            if isSpace, !previousWasSpace, index > start {
                pieces.append(text[start..<index])
                start = index
            }
            previousWasSpace = isSpace
            index = text.index(after: index)
        }
        pieces.append(text[start...])
        var out = ""
        var line = used
        for (position, piece) in pieces.enumerated() {
            if position > 0, line + piece.count > 78 {
                out += "\r\n"
                line = 0
            }
            out += piece
            line += piece.count
        }
        return out
    }
}

/// Boundaries that cannot occur in base64 or quoted-printable content ("=_" never does).
struct BoundaryMaker {
    private var state: UInt64

    init(seed: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in seed.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        self.state = hash
    }

    mutating func next() -> String {
        self.state = self.state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let hex = String(self.state, radix: 16)
        return "=_crmsync_" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
