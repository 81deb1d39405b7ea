/// One entity of the body tree. Leaves keep their raw (still transfer-encoded) content as a slice
/// of the message's bytes, decoded only when asked for.
public struct MIMEPart: Sendable {
    /// IMAP section number of the part ("1", "2.1"): `BODY.PEEK[2.1]` fetches the same content.
    /// A multipart container carries the number of its parent section ("" for the message's top).
    public var path: String
    public var headers: MIMEHeaders
    public var contentType: MIMEContentType
    public var disposition: MIMEContentDisposition?
    /// Lower-case Content-Transfer-Encoding; "7bit" when absent.
    public var transferEncoding: String
    public var children: [MIMEPart]
    /// Raw content as it appears in the message (for a multipart: its whole body).
    public var rawContent: ArraySlice<UInt8>
    // An array so the recursive type stays finite; holds at most one message.
    var embedded: [MIMEMessage]

    /// The parsed message of a message/rfc822 part.
    public var embeddedMessage: MIMEMessage? { self.embedded.first }

    public var isMultipart: Bool { self.contentType.isMultipart && !self.children.isEmpty }

    /// Content-ID without its angle brackets.
    public var contentID: String? {
        self.headers["content-id"].flatMap(MessageID.parse)
    }

    /// File name from Content-Disposition, else Content-Type's `name`, reduced to its last path
    /// component and stripped of control characters.
    public var filename: String? {
        let raw = self.disposition?.parameters["filename"] ?? self.contentType.parameters["name"]
        guard let raw else { return nil }
        var name = Substring(raw)
        if let slash = name.lastIndex(where: { $0 == "/" || $0 == "\\" }) {
            name = name[name.index(after: slash)...]
        }
        let cleaned = String(String.UnicodeScalarView(name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        let trimmed = String(cleaned.trimmingWSP)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The content with its transfer encoding undone.
    public func decodedContent() -> [UInt8] {
        switch self.transferEncoding {
        case "base64": return Base64.decode(self.rawContent)
        case "quoted-printable": return QuotedPrintable.decode(self.rawContent)
        default: return Array(self.rawContent)
        }
    }

    /// Size of `decodedContent()` in bytes, counted without building it for base64.
    public var decodedSize: Int {
        switch self.transferEncoding {
        case "base64": return Base64.decodedCount(self.rawContent)
        case "quoted-printable": return QuotedPrintable.decodedCount(self.rawContent)
        default: return self.rawContent.count
        }
    }

    /// The part at an IMAP section path in this subtree (leaves and message parts).
    public func part(at path: String) -> MIMEPart? {
        if !self.isMultipart, self.path == path { return self }
        for child in self.children {
            if let found = child.part(at: path) { return found }
        }
        if let message = self.embeddedMessage, path.hasPrefix(self.path + ".") {
            return message.root.part(at: path)
        }
        return nil
    }

    /// All leaves and message parts in order (depth first), not descending into messages.
    func leaves() -> [MIMEPart] {
        if self.isMultipart { return self.children.flatMap { $0.leaves() } }
        return [self]
    }
}

/// Something the parser had to work around; the message is still parsed.
public enum MIMEProblem: Sendable, Equatable {
    /// The header block ended at a line that is not a header (no empty line before the body).
    case missingHeaderSeparator(path: String)
    /// A multipart without a boundary parameter, read as text/plain.
    case missingBoundary(path: String)
    /// A multipart whose closing delimiter never came: the last part runs to the end.
    case missingCloseDelimiter(path: String)
    /// A multipart with no delimiter at all: its body was kept as one text part.
    case noParts(path: String)
    /// Nesting deeper than the depth cap: the rest is kept as one opaque part.
    case depthLimit(path: String)
    /// More parts than the cap: the remainder stays inside the last part.
    case partLimit(path: String)
    /// An unknown Content-Transfer-Encoding: the content is kept as is.
    case unknownTransferEncoding(path: String, encoding: String)
}
