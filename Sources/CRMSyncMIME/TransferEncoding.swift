/// Base64 as mail carries it: line breaks, missing padding, stray characters and the URL alphabet
/// (Gmail's `raw`) are all accepted; padding in the middle ends a quantum (concatenated chunks).
public enum Base64 {
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        table[Int(UInt8(ascii: "="))] = 0xFE
        return table
    }()

    public static func decode<C: Collection<UInt8>>(_ input: C) -> [UInt8] {
        // Generic callers (other modules) get one witness call, then the contiguous fast path.
        input.withContiguousStorageIfAvailable(self.decode(buffer:)) ?? Array(input).withUnsafeBufferPointer(self.decode(buffer:))
    }

    /// Length of `decode(input)` without building it.
    public static func decodedCount<C: Collection<UInt8>>(_ input: C) -> Int {
        input.withContiguousStorageIfAvailable(self.decodedCount(buffer:))
            ?? Array(input).withUnsafeBufferPointer(self.decodedCount(buffer:))
    }

    static func decode(buffer input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(input.count / 4 * 3 + 3)
        var quantum: UInt32 = 0
        var count = 0
        self.decode(input, quantum: &quantum, count: &count, into: &out)
        self.flushPartial(quantum, count, into: &out)
        return out
    }

    /// Decodes `input` onto `out`, carrying an incomplete quantum in `quantum`/`count` (the
    /// streaming decoder resumes with it; `flushPartial` ends it).
    static func decode(
        _ input: some Sequence<UInt8>, quantum: inout UInt32, count: inout Int, into out: inout [UInt8]
    ) {
        self.table.withUnsafeBufferPointer { table in
            for byte in input {
                let value = table[Int(byte)]
                if value < 64 {
                    quantum = quantum << 6 | UInt32(value)
                    count += 1
                    if count == 4 {
                        out.append(UInt8(truncatingIfNeeded: quantum >> 16))
                        out.append(UInt8(truncatingIfNeeded: quantum >> 8))
                        out.append(UInt8(truncatingIfNeeded: quantum))
                        quantum = 0
                        count = 0
                    }
                } else if value == 0xFE, count > 0 {
                    self.flushPartial(quantum, count, into: &out)
                    quantum = 0
                    count = 0
                }
            }
        }
    }

    static func decodedCount(buffer input: UnsafeBufferPointer<UInt8>) -> Int {
        self.table.withUnsafeBufferPointer { table in
            var total = 0
            var count = 0
            for byte in input {
                let value = table[Int(byte)]
                if value < 64 {
                    count += 1
                    if count == 4 {
                        total += 3
                        count = 0
                    }
                } else if value == 0xFE, count > 0 {
                    total += max(0, count - 1)
                    count = 0
                }
            }
            return total + max(0, count - 1)
        }
    }

    static func flushPartial(_ quantum: UInt32, _ count: Int, into out: inout [UInt8]) {
        switch count {
        case 2:
            out.append(UInt8(truncatingIfNeeded: quantum >> 4))
        case 3:
            out.append(UInt8(truncatingIfNeeded: quantum >> 10))
            out.append(UInt8(truncatingIfNeeded: quantum >> 2))
        default:
            break  // 1 leftover character carries no whole byte
        }
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard padded base64; with `lineLength` (a multiple of 4), lines of that many characters
    /// joined by CRLF.
    public static func encode<C: Collection<UInt8>>(_ input: C, lineLength: Int? = nil) -> String {
        let bytes = Array(input)
        let groups = (bytes.count + 2) / 3
        let lineChars = max(4, (lineLength ?? Int.max / 2) / 4 * 4)
        let breaks = groups == 0 ? 0 : (groups * 4 - 1) / lineChars
        let total = groups * 4 + breaks * 2
        return String(unsafeUninitializedCapacity: total) { out in
            bytes.withUnsafeBufferPointer { input in
                self.alphabet.withUnsafeBufferPointer { alphabet in
                    var position = 0
                    var column = 0
                    var index = 0
                    let count = input.count
                    while index < count {
                        if column == lineChars {
                            out[position] = 0x0D
                            out[position + 1] = 0x0A
                            position += 2
                            column = 0
                        }
                        let b0 = UInt32(input[index])
                        let b1 = index + 1 < count ? UInt32(input[index + 1]) : 0
                        let b2 = index + 2 < count ? UInt32(input[index + 2]) : 0
                        let quantum = b0 << 16 | b1 << 8 | b2
                        out[position] = alphabet[Int(quantum >> 18 & 63)]
                        out[position + 1] = alphabet[Int(quantum >> 12 & 63)]
                        out[position + 2] = index + 1 < count ? alphabet[Int(quantum >> 6 & 63)] : 0x3D
                        out[position + 3] = index + 2 < count ? alphabet[Int(quantum & 63)] : 0x3D
                        position += 4
                        column += 4
                        index += 3
                    }
                    return position
                }
            }
        }
    }
}

/// Quoted-printable (RFC 2045 §6.7), decoded leniently: soft breaks with or without CR and with
/// trailing blanks, hex in either case, and a malformed `=` kept as written.
public enum QuotedPrintable {
    @inline(__always) static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    public static func decode<C: Collection<UInt8>>(_ input: C) -> [UInt8] {
        let bytes = Array(input)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        // Blanks at the end of an encoded line were added in transport and are dropped.
        var lineContentEnd = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == 0x3D {
                // Soft line break: "=" then optional blanks then LF or CRLF (or the end).
                var after = index + 1
                while after < count, isWSP(bytes[after]) { after += 1 }
                if after == count {
                    index = after
                    continue
                }
                if bytes[after] == 0x0A || (bytes[after] == 0x0D && after + 1 < count && bytes[after + 1] == 0x0A) {
                    index = bytes[after] == 0x0A ? after + 1 : after + 2
                    lineContentEnd = out.count
                    continue
                }
                if index + 2 < count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                    out.append(high << 4 | low)
                    lineContentEnd = out.count
                    index += 3
                    continue
                }
                out.append(byte)
                lineContentEnd = out.count
                index += 1
                continue
            }
            if byte == 0x0A || (byte == 0x0D && index + 1 < count && bytes[index + 1] == 0x0A) {
                out.removeSubrange(lineContentEnd...)
                if byte == 0x0D { out.append(0x0D) }
                out.append(0x0A)
                lineContentEnd = out.count
                index += byte == 0x0D ? 2 : 1
                continue
            }
            out.append(byte)
            if !isWSP(byte) { lineContentEnd = out.count }
            index += 1
        }
        out.removeSubrange(lineContentEnd...)
        return out
    }

    /// Length of `decode(input)` (attachment sizes; QP attachments are rare and small).
    public static func decodedCount<C: Collection<UInt8>>(_ input: C) -> Int {
        self.decode(input).count
    }

    /// The Q encoding of RFC 2047: `_` is a space, `=XX` a byte.
    static func decodeWord<C: Collection<UInt8>>(_ input: C) -> [UInt8] {
        let bytes = Array(input)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x5F {
                out.append(0x20)
            } else if byte == 0x3D, index + 2 < bytes.count,
                      let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
                continue
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Encodes text for a body part: lines end in CRLF (any newline in the input becomes one),
    /// at most 76 characters with soft breaks, trailing blanks and a leading "From " protected.
    public static func encode(_ text: String) -> String {
        var out = [UInt8]()
        let bytes = Array(text.utf8)
        out.reserveCapacity(bytes.count + bytes.count / 8)
        var line: [UInt8] = []
        func escape(_ byte: UInt8) -> [UInt8] {
            [0x3D, self.hexDigits[Int(byte >> 4)], self.hexDigits[Int(byte & 15)]]
        }
        func flushLine(hard: Bool) {
            out.append(contentsOf: line)
            line.removeAll(keepingCapacity: true)
            if hard {
                out.append(0x0D)
                out.append(0x0A)
            } else {
                out.append(contentsOf: [0x3D, 0x0D, 0x0A])
            }
        }
        // Blanks before a hard break would be stripped by readers: encode the last one.
        func escapeTrailingBlank() {
            guard let last = line.last, isWSP(last) else { return }
            line.removeLast()
            if line.count + 3 > 76 { flushLine(hard: false) }
            line.append(contentsOf: escape(last))
        }
        var index = 0
        var atLineStart = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D || byte == 0x0A {
                escapeTrailingBlank()
                flushLine(hard: true)
                index += (byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A) ? 2 : 1
                atLineStart = true
                continue
            }
            var piece: [UInt8]
            let isFromLine = atLineStart && byte == 0x46 && bytes[index...].starts(with: Array("From ".utf8))
            if byte == 0x3D || byte >= 0x7F || (byte < 0x20 && byte != 0x09) || isFromLine {
                piece = escape(byte)
            } else {
                piece = [byte]
            }
            // A line holds 75 characters plus the "=" of a soft break.
            if line.count + piece.count > 75 { flushLine(hard: false) }
            line.append(contentsOf: piece)
            atLineStart = false
            index += 1
        }
        escapeTrailingBlank()
        out.append(contentsOf: line)
        return String(decoding: out, as: UTF8.self)
    }
}
