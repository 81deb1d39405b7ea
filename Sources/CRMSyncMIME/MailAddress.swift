/// A mailbox: display name (decoded) and address (`local@domain` as written).
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    public var name: String?
    public var address: String
    /// The group it was listed in (`Team: a@x, b@y;`), if any.
    public var group: String?

    public init(name: String? = nil, address: String, group: String? = nil) {
        self.name = name
        self.address = address
        self.group = group
    }

    public var description: String {
        if let name, !name.isEmpty { return "\(name) <\(self.address)>" }
        return self.address
    }

    /// Parses an address-list header value (From, To, Cc, Bcc, Reply-To): display names plain,
    /// quoted or encoded, comments, groups, obsolete routes, and the `;`-separated lists people
    /// type. Entries without an address and without a name are dropped.
    public static func parseList(_ value: String) -> [MailAddress] {
        AddressListParser(value).parse()
    }
}

/// Tokenizes and parses RFC 5322 address lists, leniently.
struct AddressListParser {
    enum Token: Equatable {
        case word(String)
        case quoted(String)
        case comment(String)
        case special(Unicode.Scalar)
        case literal(String)
    }

    let tokens: [Token]

    init(_ value: String) {
        self.tokens = Self.tokenize(Array(value.unicodeScalars))
    }

    static let specials: Set<Unicode.Scalar> = ["<", ">", ",", ":", ";", "@"]

    static func tokenize(_ scalars: [Unicode.Scalar]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if isSpace(scalar) {
                index += 1
            } else if scalar == "\"" {
                var text = String.UnicodeScalarView()
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    if scalars[index] != "\r", scalars[index] != "\n" { text.append(scalars[index]) }
                    index += 1
                }
                index += 1
                tokens.append(.quoted(String(text)))
            } else if scalar == "(" {
                let end = ParameterParser.skipComment(scalars, from: index)
                let inner = scalars[(index + 1)..<max(index + 1, min(end - 1, scalars.count))]
                var text = String.UnicodeScalarView()
                text.append(contentsOf: inner.filter { $0 != "\\" })
                tokens.append(.comment(String(text)))
                index = max(end, index + 1)
            } else if scalar == "[" {
                var text = String.UnicodeScalarView()
                while index < scalars.count, scalars[index] != "]" {
                    text.append(scalars[index])
                    index += 1
                }
                if index < scalars.count { text.append("]") }
                index += 1
                tokens.append(.literal(String(text)))
            } else if Self.specials.contains(scalar) {
                tokens.append(.special(scalar))
                index += 1
            } else {
                var text = String.UnicodeScalarView()
                while index < scalars.count, !isSpace(scalars[index]), !Self.specials.contains(scalars[index]),
                      scalars[index] != "\"", scalars[index] != "(" {
                    text.append(scalars[index])
                    index += 1
                }
                tokens.append(.word(String(text)))
            }
        }
        return tokens
    }

    func parse() -> [MailAddress] {
        var result: [MailAddress] = []
        var index = 0
        var group: String?
        // Tokens of the entry being read, up to a "," (or ";" / group end).
        var phrase: [Token] = []
        var angle: [Token]?
        var inAngle = false
        var comments: [String] = []

        func finish() {
            defer {
                phrase.removeAll()
                angle = nil
                comments.removeAll()
            }
            if let angle {
                let address = Self.addressText(angle)
                let name = Self.phraseText(phrase)
                let displayName = name.isEmpty ? comments.first.map(EncodedWord.decode) : name
                if address.isEmpty, (displayName ?? "").isEmpty { return }
                result.append(MailAddress(name: displayName?.isEmpty == true ? nil : displayName, address: address, group: group))
                return
            }
            guard !phrase.isEmpty else { return }
            if phrase.contains(.special("@")) {
                let address = Self.addressText(phrase)
                let name = comments.first.map { EncodedWord.decode(String($0.trimmingWSP)) }
                result.append(MailAddress(name: name?.isEmpty == true ? nil : name, address: address, group: group))
            } else if phrase.count == 1, case .word(let word) = phrase[0] {
                // A bare local part ("root", "undisclosed-recipients").
                result.append(MailAddress(name: nil, address: word, group: group))
            } else {
                let name = Self.phraseText(phrase)
                if !name.isEmpty { result.append(MailAddress(name: name, address: "", group: group)) }
            }
        }

        while index < self.tokens.count {
            let token = self.tokens[index]
            index += 1
            if inAngle {
                if token == .special(">") {
                    inAngle = false
                } else if case .comment = token {
                    continue
                } else {
                    angle?.append(token)
                }
                continue
            }
            switch token {
            case .special("<"):
                inAngle = true
                angle = []
            case .special(","):
                finish()
            case .special(":") where group == nil && angle == nil && !phrase.contains(.special("@")):
                group = Self.phraseText(phrase)
                phrase.removeAll()
                comments.removeAll()
            case .special(";"):
                finish()
                group = nil
            case .comment(let text):
                comments.append(text)
            default:
                // Text after "<…>" before the next comma joins the name (rare, lenient).
                phrase.append(token)
            }
        }
        finish()
        return result
    }

    /// Display name: words joined by single spaces, quotes removed, encoded words decoded (also
    /// inside quotes, as many senders put them there).
    static func phraseText(_ tokens: [Token]) -> String {
        var pieces: [String] = []
        for token in tokens {
            switch token {
            case .word(let text), .quoted(let text), .literal(let text): pieces.append(text)
            case .special(let scalar): pieces.append(String(scalar))
            case .comment: continue
            }
        }
        let joined = pieces.joined(separator: " ")
        return String(EncodedWord.decode(joined).trimmingWSP)
    }

    /// Address: tokens glued without spaces; an obsolete route (`@a,@b:`) is dropped.
    static func addressText(_ tokens: [Token]) -> String {
        var tokens = tokens
        if let colon = tokens.firstIndex(of: .special(":")), tokens.first == .special("@") {
            tokens.removeSubrange(...colon)
        }
        var text = ""
        for token in tokens {
            switch token {
            case .word(let word), .literal(let word): text += word
            case .quoted(let quoted):
                let needsQuotes = quoted.unicodeScalars.contains { isSpace($0) || $0 == "\"" || $0 == "," || $0 == "@" }
                text += needsQuotes ? "\"\(quoted)\"" : quoted
            case .special(let scalar): text.unicodeScalars.append(scalar)
            case .comment: continue
            }
        }
        return text
    }
}

/// Message-IDs: `<id@host>` → `id@host`.
public enum MessageID {
    /// Every id in a References / In-Reply-To value, in order. Ids without angle brackets (seen in
    /// the wild) are taken as blank-separated words.
    public static func parseList(_ value: String) -> [String] {
        var ids: [String] = []
        let scalars = Array(value.unicodeScalars)
        var index = 0
        var sawAngle = false
        while index < scalars.count {
            if scalars[index] == "<" {
                sawAngle = true
                var text = String.UnicodeScalarView()
                index += 1
                while index < scalars.count, scalars[index] != ">", scalars[index] != "<" {
                    if !isSpace(scalars[index]) { text.append(scalars[index]) }
                    index += 1
                }
                if index < scalars.count, scalars[index] == ">" { index += 1 }
                if !text.isEmpty { ids.append(String(text)) }
            } else if scalars[index] == "(" {
                index = ParameterParser.skipComment(scalars, from: index)
            } else {
                index += 1
            }
        }
        if !sawAngle {
            ids = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
                .map(String.init)
                .filter { $0.contains("@") }
        }
        return ids
    }

    /// The first id of a Message-ID value, or the trimmed value when it has no brackets.
    public static func parse(_ value: String) -> String? {
        if let first = self.parseList(value).first { return first }
        let trimmed = String(value.trimmingWSP)
        guard !trimmed.isEmpty, !trimmed.contains(" ") else { return nil }
        return trimmed
    }
}
