/// One header field: its name as written and its value unfolded (CRLF before whitespace
/// removed, the whitespace kept), raw 8-bit bytes read as UTF-8 or else Windows-1252, and RFC 2047
/// words still encoded (they are decoded per field kind: whole for unstructured text, per token in
/// addresses).
public struct MIMEHeaderField: Sendable, Equatable {
    public var name: String
    public var rawValue: String

    public init(name: String, rawValue: String) {
        self.name = name
        self.rawValue = rawValue
    }

    /// The value as unstructured text with encoded words decoded (Subject, Comments, …).
    public var decodedValue: String { EncodedWord.decode(self.rawValue) }
}

/// The header block in order, duplicates kept; look-ups ignore case.
public struct MIMEHeaders: Sendable, Equatable, Sequence {
    public var fields: [MIMEHeaderField]

    public init(_ fields: [MIMEHeaderField] = []) {
        self.fields = fields
    }

    public func makeIterator() -> IndexingIterator<[MIMEHeaderField]> { self.fields.makeIterator() }

    /// The first field of that name, raw (unfolded, encoded words kept).
    public subscript(name: String) -> String? {
        self.fields.first { $0.name.caseInsensitiveEquals(name) }?.rawValue
    }

    /// Every value of that name, in order.
    public func values(_ name: String) -> [String] {
        self.fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.rawValue)
    }

    /// The first field of that name as decoded unstructured text.
    public func text(_ name: String) -> String? {
        self.fields.first { $0.name.caseInsensitiveEquals(name) }?.decodedValue
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = self.utf8, b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { asciiLower($0) == asciiLower($1) }
    }

    /// Lower-cases ASCII letters only (header names, media types, tokens: locale-free and fast).
    var asciiLowercased: String {
        String(decoding: self.utf8.map(asciiLower), as: UTF8.self)
    }

    var trimmingWSP: Substring {
        let scalars = self.unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, isSpace(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isSpace(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return self[start..<end]
    }
}

@inline(__always) func asciiLower(_ byte: UInt8) -> UInt8 {
    byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
}

@inline(__always) func isWSP(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

@inline(__always) func isSpace(_ scalar: Unicode.Scalar) -> Bool {
    scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n"
}

/// Reads the header block of an entity. It ends at the first empty (or blank) line; a line that is
/// neither a field nor a continuation also ends it, and then belongs to the body (a message with no
/// separator keeps its text).
struct HeaderBlockReader {
    struct Result {
        var headers: MIMEHeaders
        var bodyStart: Int
        var hadSeparator: Bool
    }

    static func read(_ bytes: ArraySlice<UInt8>, skipMboxFromLine: Bool) -> Result {
        bytes.withUnsafeBufferPointer { buffer in
            let offset = bytes.startIndex
            var fields: [MIMEHeaderField] = []
            var name: String?
            var value: [UInt8] = []
            var position = 0
            let end = buffer.count

            func flush() {
                if let current = name {
                    let decoded = Charset.decodeGuessing(value)
                    fields.append(MIMEHeaderField(name: current, rawValue: String(decoded.trimmingWSP)))
                }
                name = nil
                value.removeAll(keepingCapacity: true)
            }

            if skipMboxFromLine, end >= 5, buffer[0] == 0x46, buffer[1] == 0x72, buffer[2] == 0x6F,
               buffer[3] == 0x6D, buffer[4] == 0x20 {
                position = lineEnd(buffer, from: 0).next
            }
            while position < end {
                let (contentEnd, next) = lineEnd(buffer, from: position)
                var blank = true
                for index in position..<contentEnd where !isWSP(buffer[index]) {
                    blank = false
                    break
                }
                if blank {
                    flush()
                    return Result(headers: MIMEHeaders(fields), bodyStart: offset + next, hadSeparator: true)
                }
                if isWSP(buffer[position]) {
                    if name != nil {
                        value.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position..<contentEnd]))
                        position = next
                        continue
                    }
                } else if let colon = fieldNameEnd(buffer, from: position, to: contentEnd) {
                    flush()
                    var nameEnd = colon
                    while nameEnd > position, isWSP(buffer[nameEnd - 1]) { nameEnd -= 1 }
                    name = String(decoding: UnsafeBufferPointer(rebasing: buffer[position..<nameEnd]), as: UTF8.self)
                    value.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[(colon + 1)..<contentEnd]))
                    position = next
                    continue
                }
                // Not a header line: the body starts here.
                flush()
                return Result(headers: MIMEHeaders(fields), bodyStart: offset + position, hadSeparator: false)
            }
            flush()
            return Result(headers: MIMEHeaders(fields), bodyStart: offset + end, hadSeparator: false)
        }
    }

    /// Index of the colon ending a field name (printable ASCII, optional blanks before the colon).
    private static func fieldNameEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        var index = start
        while index < end {
            let byte = buffer[index]
            if byte == 0x3A { return index > start ? index : nil }
            if isWSP(byte) {
                var after = index
                while after < end, isWSP(buffer[after]) { after += 1 }
                return after < end && buffer[after] == 0x3A && index > start ? after : nil
            }
            if byte < 33 || byte > 126 { return nil }
            index += 1
        }
        return nil
    }
}

/// End of the line at `start`: where its content stops (before CR LF or LF) and where the next
/// line starts.
@inline(__always)
func lineEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> (contentEnd: Int, next: Int) {
    var index = start
    let end = buffer.count
    while index < end, buffer[index] != 0x0A { index += 1 }
    if index == end { return (end, end) }
    let contentEnd = index > start && buffer[index - 1] == 0x0D ? index - 1 : index
    return (contentEnd, index + 1)
}
