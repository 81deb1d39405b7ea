/// Picks the text and HTML bodies out of the part tree and lists everything else as attachments.
///
/// - text/plain and text/html leaves are body unless marked attachment or named (a file).
/// - In multipart/alternative the first branch with text gives the text and the last branch
///   with HTML gives the HTML; attachments of every branch are listed.
/// - In multipart/related the root (the `start` part, else the first) is body; the rest are
///   inline resources.
/// - Other multiparts (mixed, signed, report, digest, unknown) contribute every child in order;
///   several text parts are joined.
/// - message/rfc822 parts are attachments (their own bodies stay inside `embeddedMessage`).
struct BodyExtractor {
    let maxBodyBytes: Int

    private struct Collected {
        var text: [MIMEPart] = []
        var html: [MIMEPart] = []
        var attachments: [MIMEAttachment] = []
    }

    func fill(_ message: inout MIMEMessage) {
        var collected = Collected()
        self.walk(message.root, inRelatedResource: false, into: &collected)
        message.textBody = self.render(collected.text)
        message.htmlBody = self.render(collected.html)
        message.attachments = collected.attachments
    }

    private func walk(_ part: MIMEPart, inRelatedResource: Bool, into collected: inout Collected) {
        if part.isMultipart {
            switch part.contentType.subtype {
            case "alternative":
                var branches: [Collected] = []
                for child in part.children {
                    var branch = Collected()
                    self.walk(child, inRelatedResource: inRelatedResource, into: &branch)
                    branches.append(branch)
                }
                if let text = branches.first(where: { !$0.text.isEmpty }) { collected.text += text.text }
                if let html = branches.last(where: { !$0.html.isEmpty }) { collected.html += html.html }
                for branch in branches { collected.attachments += branch.attachments }
            case "related":
                let start = part.contentType.parameters["start"].flatMap(MessageID.parse)
                let rootIndex = start.flatMap { id in part.children.firstIndex { $0.contentID == id } } ?? 0
                for (index, child) in part.children.enumerated() {
                    self.walk(child, inRelatedResource: index != rootIndex, into: &collected)
                }
            default:
                for child in part.children {
                    self.walk(child, inRelatedResource: inRelatedResource, into: &collected)
                }
            }
            return
        }
        let type = part.contentType
        let isAttachmentMarked = part.disposition?.isAttachment == true || part.filename != nil
        if type.type == "text", !isAttachmentMarked, !inRelatedResource || part.disposition?.isInline != true {
            if type.subtype == "plain" {
                collected.text.append(part)
                return
            }
            if type.subtype == "html" {
                collected.html.append(part)
                return
            }
        }
        let disposition: MIMEAttachment.Disposition
        if let declared = part.disposition, declared.isInline || declared.isAttachment {
            disposition = declared.isInline ? .inline : .attachment
        } else {
            disposition = inRelatedResource || part.contentID != nil ? .inline : .attachment
        }
        var filename = part.filename
        if filename == nil, type.isMessage, let subject = part.embeddedMessage?.subject, !subject.isEmpty {
            filename = subject + ".eml"
        }
        collected.attachments.append(MIMEAttachment(
            filename: filename, contentType: type.mimeType, size: part.decodedSize,
            contentID: part.contentID, disposition: disposition, partPath: part.path))
    }

    /// Decodes and joins body parts up to the cap. Each part is decoded from at most 4 bytes of
    /// input per remaining output byte (enough for any charset), so a huge part costs its cap,
    /// not its size, in charset work.
    private func render(_ parts: [MIMEPart]) -> MIMEBodyText? {
        guard !parts.isEmpty else { return nil }
        var out: [UInt8] = []
        var truncated = false
        for part in parts {
            let separator: [UInt8] = out.isEmpty ? [] : (out.last == 0x0A ? [0x0A] : [0x0A, 0x0A])
            let budget = self.maxBodyBytes - out.count - separator.count
            if budget <= 0 {
                truncated = true
                break
            }
            let decoded = part.decodedContent()
            let inputLimit = budget > Int.max / 4 ? decoded.count : min(decoded.count, budget * 4 + 4)
            var utf8 = Charset.utf8(decoded[..<inputLimit], charset: part.contentType.charset)
            if inputLimit < decoded.count { truncated = true }
            Self.normalize(&utf8)
            if utf8.count > budget {
                truncated = true
                var cut = budget
                // Cut at a character boundary (never inside a UTF-8 sequence).
                while cut > 0, utf8[cut] & 0xC0 == 0x80 { cut -= 1 }
                utf8.removeSubrange(cut...)
            }
            out += separator
            out += utf8
            if truncated { break }
        }
        var content = String(decoding: out, as: UTF8.self)
        if part0IsFlowed(parts) { content = FormatFlowed.unflow(content, delSp: parts[0].contentType.parameters["delsp"]?.lowercased() == "yes") }
        return MIMEBodyText(content: content, isTruncated: truncated, partPaths: parts.map(\.path))
    }

    private func part0IsFlowed(_ parts: [MIMEPart]) -> Bool {
        parts.count == 1 && parts[0].contentType.subtype == "plain"
            && parts[0].contentType.parameters["format"]?.lowercased() == "flowed"
    }

    /// CRLF and lone CR become LF; NUL becomes U+FFFD (Postgres text cannot hold NUL). These
    /// bytes never occur inside a UTF-8 sequence, so this is safe before repair.
    static func normalize(_ bytes: inout [UInt8]) {
        guard bytes.contains(where: { $0 == 0x0D || $0 == 0x00 }) else { return }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D {
                out.append(0x0A)
                if index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
            } else if byte == 0x00 {
                out += [0xEF, 0xBF, 0xBD]
            } else {
                out.append(byte)
            }
            index += 1
        }
        bytes = out
    }
}

/// RFC 3676 format=flowed: a line ending in a space continues on the next line (same quote depth);
/// a leading space is stuffing. The signature separator "-- " is never joined.
enum FormatFlowed {
    static func unflow(_ text: String, delSp: Bool) -> String {
        var output: [String] = []
        var current: String?
        var currentDepth = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(rawLine)
            var depth = 0
            while line.first == ">" {
                depth += 1
                line = line.dropFirst()
            }
            if line.first == " " { line = line.dropFirst() }
            let isSignature = line == "-- "
            let flowed = !isSignature && line.last == " "
            var content = String(line)
            if flowed, delSp { content.removeLast() }
            if var pending = current, depth == currentDepth {
                pending += content
                current = pending
            } else {
                if let pending = current { output.append(String(repeating: ">", count: currentDepth) + (currentDepth > 0 ? " " : "") + pending) }
                current = content
                currentDepth = depth
            }
            if !flowed {
                output.append(String(repeating: ">", count: depth) + (depth > 0 ? " " : "") + (current ?? ""))
                current = nil
            }
        }
        if let pending = current { output.append(String(repeating: ">", count: currentDepth) + (currentDepth > 0 ? " " : "") + pending) }
        return output.joined(separator: "\n")
    }
}
