/// RFC 2047 encoded words (`=?charset?B|Q?text?=`) in header text.
public enum EncodedWord {
    /// Decodes every encoded word in `text`. Whitespace between two adjacent encoded words is
    /// dropped, and adjacent words in one charset are joined as bytes before decoding (senders
    /// split multi-byte characters across words). A malformed or unterminated word stays as written.
    public static func decode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 8, containsMarker(bytes) else { return text }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        // Pending decoded bytes of adjacent words sharing a charset.
        var pending: [UInt8] = []
        var pendingCharset: String?
        var lastWasWord = false

        func flushPending() {
            if pendingCharset != nil {
                out.append(contentsOf: Charset.utf8(pending, charset: pendingCharset))
                pending.removeAll(keepingCapacity: true)
                pendingCharset = nil
            }
        }

        var index = 0
        var literalStart = 0
        var scan = Scan()
        while index < bytes.count {
            if bytes[index] == 0x3D, index + 1 < bytes.count, bytes[index + 1] == 0x3F,
               let word = parseWord(bytes, at: index, scan: &scan) {
                // Text between the previous word and this one.
                let between = literalStart..<index
                let onlyWhitespace = between.allSatisfy { isWSP(bytes[$0]) || bytes[$0] == 0x0D || bytes[$0] == 0x0A }
                if !(lastWasWord && onlyWhitespace) {
                    flushPending()
                    out.append(contentsOf: bytes[between])
                }
                let charsetKey = word.charset.asciiLowercased
                if pendingCharset != charsetKey {
                    flushPending()
                    pendingCharset = charsetKey
                }
                pending.append(contentsOf: word.decoded)
                lastWasWord = true
                index = word.end
                literalStart = index
                continue
            }
            index += 1
        }
        flushPending()
        out.append(contentsOf: bytes[literalStart...])
        return Charset.string(out)
    }

    private static func containsMarker(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x3D, bytes[index + 1] == 0x3F { return true }
            index += 1
        }
        return false
    }

    struct Word {
        var charset: String
        var decoded: [UInt8]
        var end: Int
    }

    /// Where the next "?=" and the next blank are; both only move forward, so scanning a line
    /// full of unterminated words stays linear.
    struct Scan {
        var terminator = -1
        var blank = -1

        mutating func terminator(in bytes: [UInt8], from start: Int) -> Int {
            if self.terminator < start {
                var index = start
                while index + 1 < bytes.count, !(bytes[index] == 0x3F && bytes[index + 1] == 0x3D) { index += 1 }
                self.terminator = index + 1 < bytes.count ? index : bytes.count
            }
            return self.terminator
        }

        mutating func blank(in bytes: [UInt8], from start: Int) -> Int {
            if self.blank < start {
                var index = start
                while index < bytes.count, !(isWSP(bytes[index]) || bytes[index] == 0x0D || bytes[index] == 0x0A) {
                    index += 1
                }
                self.blank = index
            }
            return self.blank
        }
    }

    /// Parses `=?charset?E?text?=` at `start`. The text may not hold blanks (a blank ends the
    /// attempt, so an unterminated word never swallows the rest of the line).
    static func parseWord(_ bytes: [UInt8], at start: Int, scan: inout Scan) -> Word? {
        var index = start + 2
        let charsetStart = index
        while index < bytes.count, bytes[index] != 0x3F {
            let byte = bytes[index]
            if isWSP(byte) || byte == 0x3D || index - charsetStart > 64 { return nil }
            index += 1
        }
        guard index > charsetStart, index + 2 < bytes.count, bytes[index + 2] == 0x3F else { return nil }
        let charset = String(decoding: bytes[charsetStart..<index], as: UTF8.self)
        let encoding = asciiLower(bytes[index + 1])
        guard encoding == 0x62 || encoding == 0x71 else { return nil }
        let textStart = index + 3
        let textEnd = scan.terminator(in: bytes, from: textStart)
        guard textEnd < bytes.count, scan.blank(in: bytes, from: textStart) > textEnd else { return nil }
        let text = bytes[textStart..<textEnd]
        let decoded = encoding == 0x62 ? Base64.decode(text) : QuotedPrintable.decodeWord(text)
        return Word(charset: charset, decoded: decoded, end: textEnd + 2)
    }

    /// Encodes `text` for a header as UTF-8 B words of at most 75 characters each, never splitting
    /// a character, separated by folding (CRLF SP). `firstLineUsed` is how much of the first line
    /// the field name has taken.
    public static func encode(_ text: String, firstLineUsed: Int = 0) -> String {
        let prefix = "=?UTF-8?B?", suffix = "?="
        // 75 chars per word: 12 of wrapping leave 63, i.e. 45 bytes of base64 input (60 chars).
        var words: [String] = []
        var chunk: [UInt8] = []
        let firstLimit = max(9, min(45, ((76 - firstLineUsed - prefix.count - suffix.count) / 4) * 3))
        var limit = firstLimit
        for character in text {
            let utf8 = Array(String(character).utf8)
            if !chunk.isEmpty, chunk.count + utf8.count > limit {
                words.append(prefix + Base64.encode(chunk) + suffix)
                chunk.removeAll()
                limit = 45
            }
            chunk.append(contentsOf: utf8)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(prefix + Base64.encode(chunk) + suffix) }
        return words.joined(separator: "\r\n ")
    }

    /// True when a header value must be encoded: non-ASCII, control characters, or text that a
    /// reader would take for an encoded word.
    static func needsEncoding(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        if bytes.contains(where: { $0 >= 0x80 || ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) { return true }
        return containsMarker(bytes)
    }
}
