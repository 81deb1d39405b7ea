/// A media type with its parameters (`text/plain; charset=utf-8`). Type and subtype are lower-case;
/// parameter names are lower-case and values decoded (quoted strings, RFC 2231 continuations and
/// charsets, RFC 2047 words as some senders put them in names).
public struct MIMEContentType: Sendable, Equatable {
    public var type: String
    public var subtype: String
    public var parameters: [String: String]

    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    public var mimeType: String { "\(self.type)/\(self.subtype)" }
    public var charset: String? { self.parameters["charset"] }
    public var isMultipart: Bool { self.type == "multipart" }
    public var isMessage: Bool {
        self.type == "message" && (self.subtype == "rfc822" || self.subtype == "global")
    }

    static let textPlain = MIMEContentType(type: "text", subtype: "plain")
    static let messageRFC822 = MIMEContentType(type: "message", subtype: "rfc822")

    /// Parses a Content-Type value; nil when it names no `type/subtype`.
    public static func parse(_ value: String) -> MIMEContentType? {
        let (head, parameters) = ParameterParser.split(value)
        let parts = head.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let type = String(parts[0]).trimmingWSP.lowercased()
        let subtype = String(parts[1]).trimmingWSP.lowercased()
        guard !type.isEmpty, !subtype.isEmpty, !type.contains(" "), !subtype.contains(" ") else { return nil }
        return MIMEContentType(type: type, subtype: subtype, parameters: parameters)
    }
}

/// Content-Disposition: `inline` or `attachment` and its parameters.
public struct MIMEContentDisposition: Sendable, Equatable {
    public var kind: String
    public var parameters: [String: String]

    public init(kind: String, parameters: [String: String] = [:]) {
        self.kind = kind
        self.parameters = parameters
    }

    public var isAttachment: Bool { self.kind == "attachment" }
    public var isInline: Bool { self.kind == "inline" }

    public static func parse(_ value: String) -> MIMEContentDisposition {
        let (head, parameters) = ParameterParser.split(value)
        return MIMEContentDisposition(kind: String(head.trimmingWSP).lowercased(), parameters: parameters)
    }
}

/// `head; name=value; name*0*=utf-8''a%20b; …` → head and decoded parameters.
enum ParameterParser {
    private struct Section {
        var index: Int
        var extended: Bool
        var value: String
    }

    static func split(_ value: String) -> (head: String, parameters: [String: String]) {
        let scalars = Array(value.unicodeScalars)
        var index = 0
        var head = String.UnicodeScalarView()
        while index < scalars.count, scalars[index] != ";" {
            if scalars[index] == "(" {
                index = skipComment(scalars, from: index)
                continue
            }
            head.append(scalars[index])
            index += 1
        }
        var plain: [String: String] = [:]
        var sections: [String: [Section]] = [:]
        var order: [String] = []
        while index < scalars.count {
            index += 1  // the ";"
            while index < scalars.count, isSpace(scalars[index]) { index += 1 }
            var name = String.UnicodeScalarView()
            while index < scalars.count, scalars[index] != "=", scalars[index] != ";" {
                if !isSpace(scalars[index]) { name.append(scalars[index]) }
                index += 1
            }
            guard index < scalars.count, scalars[index] == "=" else { continue }
            index += 1
            while index < scalars.count, isSpace(scalars[index]) { index += 1 }
            var rawValue = String.UnicodeScalarView()
            let quoted = index < scalars.count && scalars[index] == "\""
            if quoted {
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    rawValue.append(scalars[index])
                    index += 1
                }
                index += 1
                // Anything after the closing quote up to ";" is noise.
                while index < scalars.count, scalars[index] != ";" { index += 1 }
            } else {
                // Unquoted values with blanks are common (`name=my file.pdf`): read to ";".
                while index < scalars.count, scalars[index] != ";" {
                    rawValue.append(scalars[index])
                    index += 1
                }
            }
            let key = String(name).lowercased()
            let valueText = quoted ? String(rawValue) : String(String(rawValue).trimmingWSP)
            guard !key.isEmpty else { continue }
            if let star = key.firstIndex(of: "*") {
                let base = String(key[..<star])
                let rest = key[key.index(after: star)...]
                let extended = rest.hasSuffix("*") || rest.isEmpty
                let number = rest.isEmpty ? 0 : Int(rest.hasSuffix("*") ? rest.dropLast() : rest)
                guard let number, number < 1_000 else { continue }
                if sections[base] == nil { order.append(base) }
                sections[base, default: []].append(Section(index: number, extended: extended, value: valueText))
            } else if plain[key] == nil {
                plain[key] = valueText
            }
        }
        var result: [String: String] = [:]
        for (key, value) in plain {
            // Names carry RFC 2047 words from common senders; other values (boundaries) stay exact.
            result[key] = key == "name" || key == "filename" ? EncodedWord.decode(value) : value
        }
        // RFC 2231 values win over plain ones of the same name.
        for base in order {
            guard let parts = sections[base] else { continue }
            result[base] = self.join(parts.sorted { $0.index < $1.index })
        }
        return (String(head), result)
    }

    /// Joins RFC 2231 sections: the first extended one may start with `charset'language'`; the
    /// extended ones are percent-encoded bytes in that charset.
    private static func join(_ sections: [Section]) -> String {
        var bytes: [UInt8] = []
        var charset: String?
        for (position, section) in sections.enumerated() {
            if section.extended {
                var text = Substring(section.value)
                if position == 0 {
                    let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                    if pieces.count == 3 {
                        charset = pieces[0].isEmpty ? nil : String(pieces[0])
                        text = pieces[2]
                    }
                }
                bytes.append(contentsOf: self.percentDecode(text))
            } else {
                bytes.append(contentsOf: section.value.utf8)
            }
        }
        return Charset.decode(bytes, charset: charset)
    }

    private static func percentDecode(_ text: Substring) -> [UInt8] {
        let input = Array(text.utf8)
        var out = [UInt8]()
        out.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if input[index] == 0x25, index + 2 < input.count,
               let high = QuotedPrintable.hexValue(input[index + 1]),
               let low = QuotedPrintable.hexValue(input[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(input[index])
                index += 1
            }
        }
        return out
    }

    static func skipComment(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index < scalars.count {
            switch scalars[index] {
            case "\\": index += 1
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth == 0 { return index + 1 }
            default: break
            }
            index += 1
        }
        return index
    }
}
