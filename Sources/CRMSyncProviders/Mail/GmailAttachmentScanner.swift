/// Pulls the characters of one top-level string field (`data` of Gmail's
/// `messages.attachments.get`) out of a JSON body as it streams, without holding the body: a
/// 20 MB attachment is 27 MB of base64url in one JSON string. Keys are matched only at the top
/// level; escapes are dropped (base64url needs none); nothing else is kept but the current key.
public struct JSONStringFieldScanner: Sendable {
    private let field: [UInt8]
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var expectKey = false
    private var stringIsKey = false
    private var key: [UInt8] = []
    private var keyMatched = false
    private var awaitingValue = false
    private var inTarget = false
    /// True once the field's value has been read to its closing quote.
    public private(set) var finished = false

    public init(field: String) {
        self.field = Array(field.utf8)
    }

    /// The field's characters found in `chunk`.
    public mutating func scan(_ chunk: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        for byte in chunk {
            if self.inString {
                if self.escaped {
                    self.escaped = false
                    if self.inTarget { out.append(byte) } else if self.stringIsKey, self.key.count < 64 { self.key.append(byte) }
                } else if byte == UInt8(ascii: "\\") {
                    self.escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    self.inString = false
                    if self.inTarget {
                        self.inTarget = false
                        self.finished = true
                    } else if self.stringIsKey {
                        self.keyMatched = self.key == self.field
                    }
                } else if self.inTarget {
                    out.append(byte)
                } else if self.stringIsKey, self.key.count < 64 {
                    self.key.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                self.depth += 1
                self.expectKey = byte == UInt8(ascii: "{") && self.depth == 1
                self.awaitingValue = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                self.depth -= 1
            case UInt8(ascii: ","):
                if self.depth == 1 { self.expectKey = true }
            case UInt8(ascii: ":"):
                self.awaitingValue = self.depth == 1 && self.keyMatched
                self.keyMatched = false
            case UInt8(ascii: "\""):
                self.inString = true
                if self.depth == 1 && self.expectKey {
                    self.stringIsKey = true
                    self.key = []
                    self.expectKey = false
                } else {
                    self.stringIsKey = false
                    self.inTarget = self.awaitingValue && !self.finished
                    self.awaitingValue = false
                }
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                break
            default:
                self.awaitingValue = false
            }
        }
        return out
    }
}
