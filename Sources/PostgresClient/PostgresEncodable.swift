import Foundation

/// A Swift value that can be bound to a statement parameter, in Postgres's text format.
public protocol PostgresEncodable: Sendable {
    /// The value as Postgres parses it from text; `nil` binds SQL NULL.
    var postgresText: String? { get }
}

extension String: PostgresEncodable {
    public var postgresText: String? { self }
}

extension Substring: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Double: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String? { self ? "t" : "f" }
}

extension UUID: PostgresEncodable {
    public var postgresText: String? { self.uuidString.lowercased() }
}

extension Date: PostgresEncodable {
    /// ISO 8601 in UTC with microseconds, which is Postgres's own timestamptz precision.
    public var postgresText: String? { PostgresTimestamp.format(self) }
}

extension Data: PostgresEncodable {
    /// bytea in hex form.
    public var postgresText: String? {
        var text = "\\x"
        text.reserveCapacity(2 + self.count * 2)
        for byte in self {
            text += String(byte, radix: 16).leftPadded(to: 2)
        }
        return text
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? { self.flatMap { $0.postgresText } }
}

extension Array: PostgresEncodable where Element: PostgresEncodable {
    /// An array literal (`{"a","b",NULL}`); elements are always quoted.
    public var postgresText: String? {
        let items = self.map { element -> String in
            guard let text = element.postgresText else { return "NULL" }
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        return "{" + items.joined(separator: ",") + "}"
    }
}

/// A JSON document bound or read as `json`/`jsonb`.
public struct PostgresJSON: PostgresEncodable, Hashable {
    /// The document's text.
    public var text: String

    public init(text: String) { self.text = text }

    /// Encodes `value` with `JSONEncoder`.
    public init<Value: Encodable>(encoding value: Value) throws {
        let data = try JSONEncoder().encode(value)
        self.text = String(decoding: data, as: UTF8.self)
    }

    /// Decodes the document with `JSONDecoder`.
    public func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: Data(self.text.utf8))
    }

    public var postgresText: String? { self.text }
}

extension String {
    func leftPadded(to width: Int) -> String {
        self.count >= width ? self : String(repeating: "0", count: width - self.count) + self
    }
}
