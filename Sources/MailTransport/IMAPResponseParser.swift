/// Parses one whole response (as cut by `IMAPResponseFramer`) into an `IMAPResponse`.
///
/// Literals are read by their announced length, so their content is never interpreted;
/// quoted strings honour `\"` and `\\`; an atom may contain a bracketed section with spaces
/// (`BODY[HEADER.FIELDS (SUBJECT)]`). Anything malformed is a `protocolViolation`, never a crash.
struct IMAPResponseParser {
    private let bytes: [UInt8]
    private var index = 0

    static func parse(_ bytes: [UInt8]) throws(MailTransportError) -> IMAPResponse {
        var parser = IMAPResponseParser(bytes: bytes)
        return try parser.response()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var atEnd: Bool {
        self.index >= self.bytes.count || self.bytes[self.index] == UInt8(ascii: "\r")
            || self.bytes[self.index] == UInt8(ascii: "\n")
    }

    private func peek() -> UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

    private func violation(_ what: String) -> MailTransportError {
        let line = self.bytes.prefix(80).prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        return .protocolViolation("\(what) in \"\(String(decoding: line, as: UTF8.self))\"")
    }

    private mutating func response() throws(MailTransportError) -> IMAPResponse {
        guard let first = self.peek() else { throw self.violation("empty response") }
        if first == UInt8(ascii: "+") {
            self.index += 1
            self.skipSpaces()
            return .continuation(self.restOfLine())
        }
        let tag = self.word()
        guard !tag.isEmpty, self.peek() == UInt8(ascii: " ") else { throw self.violation("no tag") }
        self.skipSpaces()
        if tag == "*" {
            let save = self.index
            if let status = IMAPStatus(rawValue: self.word().uppercased()),
                self.atEnd || self.peek() == UInt8(ascii: " ")
            {
                let (code, text) = try self.responseText()
                return .status(status, code: code, text: text)
            }
            self.index = save
            return .data(try self.values(until: nil))
        }
        guard let status = IMAPStatus(rawValue: self.word().uppercased()) else {
            throw self.violation("tagged response without OK/NO/BAD")
        }
        let (code, text) = try self.responseText()
        return .tagged(tag: tag, status: status, code: code, text: text)
    }

    /// `[code args] text` after a status word.
    private mutating func responseText() throws(MailTransportError) -> (IMAPResponseCode?, String) {
        self.skipSpaces()
        var code: IMAPResponseCode?
        if self.peek() == UInt8(ascii: "[") {
            self.index += 1
            let save = self.index
            let name = self.word(stoppingAt: UInt8(ascii: "]")).uppercased()
            self.skipSpaces()
            // Codes with free text we cannot tokenize are kept by name only.
            let arguments = (try? self.values(until: UInt8(ascii: "]"))) ?? []
            if self.peek() == UInt8(ascii: "]") {
                self.index += 1
            } else {
                self.index = save
                while let byte = self.peek(), byte != UInt8(ascii: "]"), !self.atEnd { self.index += 1 }
                if self.peek() == UInt8(ascii: "]") { self.index += 1 }
            }
            code = IMAPResponseCode(name: name, arguments: arguments)
            self.skipSpaces()
        }
        return (code, self.restOfLine())
    }

    private mutating func restOfLine() -> String {
        let start = self.index
        while !self.atEnd { self.index += 1 }
        return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
    }

    private mutating func skipSpaces() {
        while self.peek() == UInt8(ascii: " ") { self.index += 1 }
    }

    /// Bytes up to a space, CR/LF or `stop`.
    private mutating func word(stoppingAt stop: UInt8? = nil) -> String {
        let start = self.index
        while let byte = self.peek(), byte != UInt8(ascii: " "), byte != stop, !self.atEnd { self.index += 1 }
        return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
    }

    /// Values separated by spaces until the line ends or `close` (not consumed) is next.
    private mutating func values(until close: UInt8?) throws(MailTransportError) -> [IMAPValue] {
        var values: [IMAPValue] = []
        while true {
            self.skipSpaces()
            if self.atEnd {
                if close != nil { throw self.violation("unclosed list") }
                return values
            }
            if let close, self.peek() == close { return values }
            values.append(try self.value())
        }
    }

    private mutating func value() throws(MailTransportError) -> IMAPValue {
        guard let byte = self.peek() else { throw self.violation("missing value") }
        switch byte {
        case UInt8(ascii: "("):
            self.index += 1
            let list = try self.values(until: UInt8(ascii: ")"))
            self.index += 1
            return .list(list)
        case UInt8(ascii: "\""):
            return .quoted(try self.quoted())
        case UInt8(ascii: "{"):
            return .literal(try self.literal())
        case UInt8(ascii: "~") where self.index + 1 < self.bytes.count && self.bytes[self.index + 1] == UInt8(ascii: "{"):
            self.index += 1
            return .literal(try self.literal())
        case UInt8(ascii: ")"):
            throw self.violation("unbalanced )")
        default:
            let atom = self.atom()
            if atom.isEmpty { throw self.violation("empty atom") }
            return atom.uppercased() == "NIL" ? .nil : .atom(atom)
        }
    }

    /// An atom, including a bracketed part with spaces inside (`BODY[HEADER.FIELDS (A B)]<0>`).
    private mutating func atom() -> String {
        let start = self.index
        var depth = 0
        while let byte = self.peek(), !self.atEnd {
            if byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "]") {
                if depth == 0 { break }
                depth -= 1
            } else if depth == 0 && (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")")) {
                break
            }
            self.index += 1
        }
        return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
    }

    private mutating func quoted() throws(MailTransportError) -> [UInt8] {
        self.index += 1
        var out: [UInt8] = []
        while let byte = self.peek() {
            self.index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return out
            case UInt8(ascii: "\\"):
                guard let escaped = self.peek() else { throw self.violation("unterminated quoted string") }
                out.append(escaped)
                self.index += 1
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                throw self.violation("line break in a quoted string")
            default:
                out.append(byte)
            }
        }
        throw self.violation("unterminated quoted string")
    }

    /// `{n}` (or `{n+}`) CRLF and n bytes.
    private mutating func literal() throws(MailTransportError) -> [UInt8] {
        self.index += 1
        var length = 0
        var digits = 0
        while let byte = self.peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            length = length * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            self.index += 1
            if digits > 10 { throw self.violation("literal length too long") }
        }
        if self.peek() == UInt8(ascii: "+") || self.peek() == UInt8(ascii: "-") { self.index += 1 }
        guard digits > 0, self.peek() == UInt8(ascii: "}") else { throw self.violation("bad literal announcement") }
        self.index += 1
        if self.peek() == UInt8(ascii: "\r") { self.index += 1 }
        guard self.peek() == UInt8(ascii: "\n") else { throw self.violation("literal announcement not at a line end") }
        self.index += 1
        guard self.bytes.count - self.index >= length else { throw self.violation("literal shorter than announced") }
        let content = Array(self.bytes[self.index..<(self.index + length)])
        self.index += length
        return content
    }
}
