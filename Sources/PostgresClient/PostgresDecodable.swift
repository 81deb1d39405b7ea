import Foundation

/// A Swift type that can be read from a result column in Postgres's text format.
public protocol PostgresDecodable: Sendable {
    /// Parses the server's text form of a non-NULL value; `nil` when it does not fit.
    init?(postgresText text: String)
}

extension String: PostgresDecodable {
    public init?(postgresText text: String) { self = text }
}

extension Int: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Int64: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Int32: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Double: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Bool: PostgresDecodable {
    public init?(postgresText text: String) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension UUID: PostgresDecodable {
    public init?(postgresText text: String) { self.init(uuidString: text) }
}

extension Date: PostgresDecodable {
    public init?(postgresText text: String) {
        guard let date = PostgresTimestamp.parse(text) else { return nil }
        self = date
    }
}

extension Data: PostgresDecodable {
    /// bytea in hex output form (`\x0a1b…`), the server default since 9.0.
    public init?(postgresText text: String) {
        let hex = Array(text.utf8)
        guard hex.count >= 2, hex[0] == 92, hex[1] == 120, hex.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity((hex.count - 2) / 2)
        var index = 2
        while index < hex.count {
            guard let high = Self.nibble(hex[index]), let low = Self.nibble(hex[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}

extension PostgresJSON: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text: text) }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// A one-dimensional array literal such as `{a,"b c",NULL}`. NULL elements are refused:
    /// decode `[Element?]`-shaped data as text if you need them.
    public init?(postgresText text: String) {
        guard let items = PostgresArrayLiteral.parse(text) else { return nil }
        var result = [Element]()
        result.reserveCapacity(items.count)
        for item in items {
            guard let item, let value = Element(postgresText: item) else { return nil }
            result.append(value)
        }
        self = result
    }
}

/// Parser for one-dimensional array literals in Postgres's output format.
enum PostgresArrayLiteral {
    static func parse(_ text: String) -> [String?]? {
        let chars = Array(text)
        guard chars.first == "{", chars.last == "}" else { return nil }
        if chars.count == 2 { return [] }
        var items: [String?] = []
        var index = 1
        while index < chars.count - 1 {
            var item = ""
            var quoted = false
            if chars[index] == "\"" {
                quoted = true
                index += 1
                while index < chars.count - 1, chars[index] != "\"" {
                    if chars[index] == "\\" { index += 1 }
                    item.append(chars[index])
                    index += 1
                }
                index += 1  // closing quote
            } else {
                while index < chars.count - 1, chars[index] != "," {
                    item.append(chars[index])
                    index += 1
                }
            }
            items.append(!quoted && item == "NULL" ? nil : item)
            if index < chars.count - 1 {
                guard chars[index] == "," else { return nil }
                index += 1
            }
        }
        return items
    }
}
