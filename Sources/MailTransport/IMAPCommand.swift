/// A command to send, built from raw text and string arguments. Strings become quoted
/// strings when they can, literals otherwise (CR, LF, NUL, 8-bit, or very long).
struct IMAPCommand: Sendable {
    enum Part: Sendable {
        case text([UInt8])
        case literal([UInt8])
    }

    /// The command name for errors and logs (`UID FETCH`): arguments may be private.
    let name: String
    private(set) var parts: [Part]

    init(_ name: String) {
        self.name = name
        self.parts = [.text(Array(name.utf8))]
    }

    /// Appends ` text` as is (atoms, sequence sets, parenthesized syntax we built).
    mutating func raw(_ text: String) {
        self.appendText(" " + text)
    }

    /// Appends ` "string"` or ` {n}` + bytes.
    mutating func string(_ value: String) {
        self.string(Array(value.utf8))
    }

    mutating func string(_ bytes: [UInt8]) {
        if let quoted = Self.quoted(bytes) {
            self.appendText(" " + quoted)
        } else {
            self.appendText(" ")
            self.parts.append(.literal(bytes))
        }
    }

    /// Appends ` ` + a literal (APPEND's message).
    mutating func literal(_ bytes: [UInt8]) {
        self.appendText(" ")
        self.parts.append(.literal(bytes))
    }

    private mutating func appendText(_ text: String) {
        if case .text(var previous) = self.parts.last {
            previous.append(contentsOf: text.utf8)
            self.parts[self.parts.count - 1] = .text(previous)
        } else {
            self.parts.append(.text(Array(text.utf8)))
        }
    }

    /// `"…"` with `\` and `"` escaped, or nil when only a literal can carry the bytes.
    static func quoted(_ bytes: [UInt8]) -> String? {
        guard bytes.count <= 1000, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        var out = "\""
        for byte in bytes {
            if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { out.append("\\") }
            out.append(Character(Unicode.Scalar(byte)))
        }
        return out + "\""
    }
}
