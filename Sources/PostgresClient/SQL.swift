/// A parameterized statement built with string interpolation.
///
/// Every interpolated value becomes a `$n` placeholder and a bind; nothing is ever spliced
/// into the SQL text. Text that really must be spliced (an identifier we control, say) goes
/// through `\(unescaped: ...)`, which is loud on purpose.
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The statement with `$1`, `$2`, … placeholders.
    public private(set) var text: String
    /// The bound values in their text form (`nil` is SQL NULL).
    public private(set) var binds: [String?]

    public init(stringLiteral value: String) {
        self.text = value
        self.binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.text = stringInterpolation.text
        self.binds = stringInterpolation.binds
    }

    /// A statement with explicit binds for `$1…$n`.
    public init(_ text: String, binds: [any PostgresEncodable & Sendable]) {
        self.text = text
        self.binds = binds.map { $0.postgresText }
    }

    /// Bind values print as `****`: they may be secrets.
    public var description: String {
        self.binds.isEmpty ? self.text : "\(self.text) [\(self.binds.count) binds: ****]"
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        var binds: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            self.text.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) {
            self.text += literal
        }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            self.binds.append(value.postgresText)
            self.text += "$\(self.binds.count)"
        }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            self.binds.append(value?.postgresText)
            self.text += "$\(self.binds.count)"
        }

        /// Splices `text` into the statement as it is. Only for text the program controls.
        public mutating func appendInterpolation(unescaped text: String) {
            self.text += text
        }
    }
}
