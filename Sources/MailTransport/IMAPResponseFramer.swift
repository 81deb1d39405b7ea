/// Cuts the byte stream from an IMAP server into whole responses.
///
/// A response is a line ending in CRLF, except that a line ending in a literal announcement
/// `{n}` (or `{n+}`, `~{n}`) continues after the next n bytes, which are taken as they are:
/// a literal may hold `* ` lines, `A001 OK` lines or `{5}` text without confusing the framing.
/// Scanning resumes where it stopped, and literal bytes are skipped, not scanned, so a 20 MB
/// message costs linear time however it is split across reads.
struct IMAPResponseFramer {
    /// Received bytes; `bytes[start...]` is not yet handed out.
    private var bytes: [UInt8] = []
    private var start = 0
    /// Where the search for the next line end resumes.
    private var cursor = 0
    /// Inside a literal: the index just past its last byte.
    private var literalEnd: Int?

    /// Literals larger than this are refused (a broken or hostile server, not a message).
    static let maximumLiteral = 1 << 30

    init() {}

    /// Bytes received but not yet returned as part of a response.
    var pendingCount: Int { self.bytes.count - self.start }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        self.bytes.append(contentsOf: chunk)
    }

    mutating func append(_ chunk: [UInt8]) {
        self.bytes.append(contentsOf: chunk)
    }

    /// The next complete response, including its final CRLF, or nil until more bytes arrive.
    mutating func nextResponse() throws(MailTransportError) -> [UInt8]? {
        while true {
            if let end = self.literalEnd {
                guard self.bytes.count >= end else { return nil }
                self.cursor = end
                self.literalEnd = nil
            }
            guard let newline = self.firstNewline(from: self.cursor) else {
                self.cursor = self.bytes.count
                return nil
            }
            if let length = try self.literalLength(endingAt: newline) {
                let end = newline + 1 + length
                self.literalEnd = end
                // One allocation for the whole literal instead of repeated doubling.
                if self.bytes.capacity < end { self.bytes.reserveCapacity(end) }
                continue
            }
            let response = self.take(upTo: newline + 1)
            return response
        }
    }

    private func firstNewline(from index: Int) -> Int? {
        self.bytes.withUnsafeBufferPointer { buffer in
            var i = index
            while i < buffer.count {
                if buffer[i] == UInt8(ascii: "\n") { return i }
                i += 1
            }
            return nil
        }
    }

    /// The n of a `{n}`, `{n+}` or `{n-}` just before the line end at `newline`, if any.
    private func literalLength(endingAt newline: Int) throws(MailTransportError) -> Int? {
        var i = newline - 1
        if i >= self.start, self.bytes[i] == UInt8(ascii: "\r") { i -= 1 }
        guard i > self.start, self.bytes[i] == UInt8(ascii: "}") else { return nil }
        i -= 1
        if self.bytes[i] == UInt8(ascii: "+") || self.bytes[i] == UInt8(ascii: "-") { i -= 1 }
        var length = 0
        var multiplier = 1
        var digits = 0
        while i >= self.start, let digit = Self.digit(self.bytes[i]) {
            length += digit * multiplier
            multiplier *= 10
            digits += 1
            i -= 1
            if digits > 10 { throw .protocolViolation("a literal length has more than 10 digits") }
        }
        guard digits > 0, i >= self.start, self.bytes[i] == UInt8(ascii: "{") else { return nil }
        guard length <= Self.maximumLiteral else {
            throw .protocolViolation("the server announced a \(length)-byte literal")
        }
        return length
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// Hands out `bytes[start..<end]`; drops consumed bytes once they are most of the buffer,
    /// so the buffer neither grows forever nor is shifted on every response.
    private mutating func take(upTo end: Int) -> [UInt8] {
        let response: [UInt8]
        if self.start == 0 && end == self.bytes.count {
            response = self.bytes  // the whole buffer is this response: hand it over, no copy
            self.bytes = []
            self.start = 0
            self.cursor = 0
            return response
        }
        response = Array(self.bytes[self.start..<end])
        self.start = end
        self.cursor = end
        if self.start >= 65536 && self.start * 2 >= self.bytes.count {
            self.bytes.removeFirst(self.start)
            self.cursor -= self.start
            self.start = 0
        }
        return response
    }
}
