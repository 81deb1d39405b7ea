import Foundation

/// Parses raw RFC 5322 messages (bytes as fetched over IMAP or from Gmail's `raw` / Graph's
/// `$value`). Parsing never fails: malformed input yields what could be read, plus `problems`.
/// Work is linear in the message size times the nesting depth, which is capped.
public struct MIMEParser: Sendable {
    public struct Options: Sendable {
        /// Cap on each body (text, HTML) in UTF-8 bytes; longer bodies are cut and flagged.
        public var maxBodyBytes: Int
        /// Multiparts and attached messages nested deeper than this are kept as one opaque part.
        public var maxDepth: Int
        /// Cap on the number of parts in one message; the remainder stays in the last part.
        public var maxParts: Int

        public init(maxBodyBytes: Int = 1_000_000, maxDepth: Int = 32, maxParts: Int = 5_000) {
            self.maxBodyBytes = maxBodyBytes
            self.maxDepth = maxDepth
            self.maxParts = maxParts
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    public func parse(_ data: Data) -> MIMEMessage {
        self.parse([UInt8](data))
    }

    public func parse(_ bytes: [UInt8]) -> MIMEMessage {
        var state = State(options: self.options)
        return state.message(bytes[...], leafPath: "1", containerPath: "", depth: 0, topLevel: true)
    }

    /// Mutable bookkeeping of one parse (part count, problems).
    struct State {
        let options: Options
        var partCount = 0
        var problems: [MIMEProblem] = []

        init(options: Options) {
            self.options = options
        }

        mutating func message(_ bytes: ArraySlice<UInt8>, leafPath: String, containerPath: String, depth: Int,
                              topLevel: Bool) -> MIMEMessage {
            let problemsBefore = self.problems.count
            let root = self.entity(bytes, leafPath: leafPath, containerPath: containerPath,
                                   defaultType: .textPlain, depth: depth, mboxLine: topLevel)
            let headers = root.headers
            var message = MIMEMessage(
                headers: headers, root: root,
                subject: headers.text("subject"),
                from: MailAddress.parseList(headers.values("from").joined(separator: ", ")),
                sender: headers["sender"].map(MailAddress.parseList) ?? [],
                to: MailAddress.parseList(headers.values("to").joined(separator: ", ")),
                cc: MailAddress.parseList(headers.values("cc").joined(separator: ", ")),
                bcc: MailAddress.parseList(headers.values("bcc").joined(separator: ", ")),
                replyTo: headers["reply-to"].map(MailAddress.parseList) ?? [],
                messageID: headers["message-id"].flatMap(MessageID.parse),
                inReplyTo: headers["in-reply-to"].map(MessageID.parseList) ?? [],
                references: headers.values("references").flatMap(MessageID.parseList),
                date: headers["date"].flatMap(MailDate.parse),
                textBody: nil, htmlBody: nil, attachments: [],
                problems: [])
            BodyExtractor(maxBodyBytes: self.options.maxBodyBytes).fill(&message)
            message.problems = topLevel ? self.problems : Array(self.problems[problemsBefore...])
            return message
        }

        mutating func entity(_ bytes: ArraySlice<UInt8>, leafPath: String, containerPath: String,
                             defaultType: MIMEContentType, depth: Int, mboxLine: Bool = false) -> MIMEPart {
            self.partCount += 1
            let block = HeaderBlockReader.read(bytes, skipMboxFromLine: mboxLine)
            if !block.hadSeparator, block.bodyStart < bytes.endIndex {
                self.problems.append(.missingHeaderSeparator(path: leafPath))
            }
            let headers = block.headers
            let body = bytes[block.bodyStart...]
            var contentType = headers["content-type"].flatMap(MIMEContentType.parse) ?? defaultType
            let disposition = headers["content-disposition"].map(MIMEContentDisposition.parse)
            var encoding = headers["content-transfer-encoding"].map { String($0.trimmingWSP).asciiLowercased } ?? "7bit"
            if encoding.isEmpty { encoding = "7bit" }
            if !["7bit", "8bit", "binary", "base64", "quoted-printable"].contains(encoding) {
                self.problems.append(.unknownTransferEncoding(path: leafPath, encoding: encoding))
            }
            var part = MIMEPart(path: leafPath, headers: headers, contentType: contentType, disposition: disposition,
                                transferEncoding: encoding, children: [], rawContent: body, embedded: [])
            if contentType.isMultipart {
                guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty else {
                    self.problems.append(.missingBoundary(path: leafPath))
                    contentType = MIMEContentType(type: "text", subtype: "plain", parameters: contentType.parameters)
                    part.contentType = contentType
                    return part
                }
                if depth >= self.options.maxDepth {
                    self.problems.append(.depthLimit(path: leafPath))
                    return part
                }
                let split = MultipartSplitter.split(body, boundary: Array(boundary.utf8),
                                                    maxParts: max(1, self.options.maxParts - self.partCount))
                if split.parts.isEmpty {
                    // No delimiter at all: keep the body readable as text.
                    self.problems.append(.noParts(path: leafPath))
                    part.contentType = MIMEContentType(type: "text", subtype: "plain", parameters: [:])
                    return part
                }
                if !split.closed { self.problems.append(.missingCloseDelimiter(path: containerPath)) }
                if split.truncated { self.problems.append(.partLimit(path: containerPath)) }
                let childDefault: MIMEContentType = contentType.subtype == "digest" ? .messageRFC822 : .textPlain
                let prefix = containerPath.isEmpty ? "" : containerPath + "."
                part.path = containerPath
                part.children = split.parts.enumerated().map { index, range in
                    let childPath = prefix + String(index + 1)
                    return self.entity(range, leafPath: childPath, containerPath: childPath,
                                       defaultType: childDefault, depth: depth + 1)
                }
                return part
            }
            if contentType.isMessage {
                if depth >= self.options.maxDepth {
                    self.problems.append(.depthLimit(path: leafPath))
                    return part
                }
                // Some senders encode an attached message; parse what it decodes to.
                let inner: ArraySlice<UInt8> = encoding == "base64" || encoding == "quoted-printable"
                    ? part.decodedContent()[...] : body
                part.embedded = [self.message(inner, leafPath: leafPath + ".1", containerPath: leafPath,
                                              depth: depth + 1, topLevel: false)]
            }
            return part
        }
    }
}

/// Splits a multipart body at its boundary (RFC 2046 §5.1.1): a delimiter is `--boundary` at the
/// start of a line, optionally followed by `--` (the close) and blanks; the line break before it
/// belongs to the delimiter. Preamble and epilogue are dropped.
enum MultipartSplitter {
    struct Result {
        var parts: [ArraySlice<UInt8>]
        var closed: Bool
        var truncated: Bool
    }

    static func split(_ body: ArraySlice<UInt8>, boundary: [UInt8], maxParts: Int) -> Result {
        let base = body.startIndex
        return body.withUnsafeBufferPointer { buffer in
            var parts: [ArraySlice<UInt8>] = []
            var partStart: Int?
            var position = 0
            let end = buffer.count
            let needle = [0x2D, 0x2D] + boundary
            var closed = false
            var truncated = false
            while position < end {
                let (contentEnd, next) = lineEnd(buffer, from: position)
                if contentEnd - position >= needle.count, buffer[position] == 0x2D, buffer[position + 1] == 0x2D,
                   matches(buffer, at: position, needle) {
                    var after = position + needle.count
                    var isClose = false
                    if after + 2 <= contentEnd, buffer[after] == 0x2D, buffer[after + 1] == 0x2D {
                        isClose = true
                        after += 2
                    }
                    var onlyBlanks = true
                    for index in after..<contentEnd where !isWSP(buffer[index]) {
                        onlyBlanks = false
                        break
                    }
                    if onlyBlanks || isClose {
                        if let start = partStart {
                            if parts.count + 1 >= maxParts, !isClose {
                                truncated = true
                                position = next
                                continue
                            }
                            // The CRLF (or LF) before the delimiter is not content.
                            var stop = position
                            if stop > start, buffer[stop - 1] == 0x0A { stop -= 1 }
                            if stop > start, buffer[stop - 1] == 0x0D { stop -= 1 }
                            parts.append(body[(base + start)..<(base + max(start, stop))])
                        }
                        if isClose {
                            closed = true
                            partStart = nil
                            break
                        }
                        partStart = next
                    }
                }
                position = next
            }
            if let start = partStart {
                // Missing close delimiter: the last part runs to the end.
                parts.append(body[(base + start)..<(base + end)])
            }
            return Result(parts: parts, closed: closed, truncated: truncated)
        }
    }

    @inline(__always)
    private static func matches(_ buffer: UnsafeBufferPointer<UInt8>, at position: Int, _ needle: [UInt8]) -> Bool {
        for (offset, byte) in needle.enumerated() where buffer[position + offset] != byte {
            return false
        }
        return true
    }
}
