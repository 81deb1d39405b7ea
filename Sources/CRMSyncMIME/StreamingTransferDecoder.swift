/// Decodes a part's Content-Transfer-Encoding chunk by chunk, for content that is streamed
/// (an attachment read from the server in pieces) and never held whole.
///
/// The output of all `decode` calls plus `finish()` equals `Base64.decode` / `QuotedPrintable.decode`
/// of the concatenated input, wherever the chunk boundaries fall: base64 carries an incomplete
/// quantum over, quoted-printable carries the unfinished line (lines longer than `maxCarry` are
/// cut at a byte that is neither blank nor part of an `=XX` escape).
public struct StreamingTransferDecoder: Sendable {
    public enum Encoding: Sendable, Equatable {
        case identity, base64, quotedPrintable
    }

    public let encoding: Encoding
    private var quantum: UInt32 = 0
    private var count = 0
    private var carry: [UInt8] = []
    static let maxCarry = 64 * 1024

    /// The decoder for a `Content-Transfer-Encoding` value (7bit, 8bit, binary and unknown pass through).
    public init(contentTransferEncoding value: String?) {
        switch value.map({ String($0.lowercased().filter { $0 != " " && $0 != "\t" }) }) {
        case "base64": self.encoding = .base64
        case "quoted-printable": self.encoding = .quotedPrintable
        default: self.encoding = .identity
        }
    }

    public init(_ encoding: Encoding) {
        self.encoding = encoding
    }

    /// The bytes `chunk` completes.
    public mutating func decode(_ chunk: some Collection<UInt8>) -> [UInt8] {
        switch self.encoding {
        case .identity: return Array(chunk)
        case .base64: return self.base64(chunk)
        case .quotedPrintable: return self.quotedPrintable(chunk)
        }
    }

    /// What is left once the input has ended.
    public mutating func finish() -> [UInt8] {
        switch self.encoding {
        case .identity:
            return []
        case .base64:
            var out: [UInt8] = []
            Base64.flushPartial(self.quantum, self.count, into: &out)
            self.quantum = 0
            self.count = 0
            return out
        case .quotedPrintable:
            defer { self.carry = [] }
            return QuotedPrintable.decode(self.carry)
        }
    }

    private mutating func base64(_ chunk: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(chunk.count / 4 * 3 + 3)
        Base64.decode(chunk, quantum: &self.quantum, count: &self.count, into: &out)
        return out
    }

    private mutating func quotedPrintable(_ chunk: some Collection<UInt8>) -> [UInt8] {
        self.carry.append(contentsOf: chunk)
        // Whole lines decode alone; the unfinished one waits for its end.
        var cut = self.carry.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        if cut == 0, self.carry.count > Self.maxCarry {
            cut = self.carry.count - 3
            while cut > 0, Self.unsafeCut(self.carry, at: cut) { cut -= 1 }
        }
        guard cut > 0 else { return [] }
        let out = QuotedPrintable.decode(self.carry[0..<cut])
        self.carry.removeFirst(cut)
        return out
    }

    /// Cutting before `index` would split an `=XX` escape or drop a blank as trailing.
    private static func unsafeCut(_ bytes: [UInt8], at index: Int) -> Bool {
        let previous = bytes[index - 1]
        if previous == 0x20 || previous == 0x09 || previous == 0x3D || previous == 0x0D { return true }
        return index >= 2 && bytes[index - 2] == 0x3D
    }
}
