/// One row of a result, in the server's text format, with typed accessors.
public struct PostgresRow: Sendable {
    /// Column names, shared by every row of a result.
    public let columns: [String]
    /// Values as the server printed them; `nil` is SQL NULL.
    public let values: [String?]

    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// The value at `index` decoded as `T`; NULL or a value that does not fit is an error.
    public func decode<T: PostgresDecodable>(_ type: T.Type, at index: Int) throws -> T {
        guard let value = try self.decode(Optional<T>.self, at: index) else {
            throw PostgresError(.decoding, message: "column \(self.name(at: index)) is NULL, expected \(T.self)")
        }
        return value
    }

    /// The value at `index` decoded as `T`, or `nil` for SQL NULL.
    public func decode<T: PostgresDecodable>(_ type: T?.Type, at index: Int) throws -> T? {
        guard index >= 0, index < self.values.count else {
            throw PostgresError(.decoding, message: "no column at index \(index) (row has \(self.values.count))")
        }
        guard let text = self.values[index] else { return nil }
        guard let value = T(postgresText: text) else {
            // The value itself is not printed: it may be a secret.
            throw PostgresError(.decoding, message: "column \(self.name(at: index)) does not decode as \(T.self)")
        }
        return value
    }

    /// The value of the column named `column` decoded as `T`.
    public func decode<T: PostgresDecodable>(_ type: T.Type, column: String) throws -> T {
        try self.decode(type, at: self.index(of: column))
    }

    /// The value of the column named `column` decoded as `T`, or `nil` for SQL NULL.
    public func decode<T: PostgresDecodable>(_ type: T?.Type, column: String) throws -> T? {
        try self.decode(type, at: self.index(of: column))
    }

    private func index(of column: String) throws -> Int {
        guard let index = self.columns.firstIndex(of: column) else {
            throw PostgresError(.decoding, message: "no column named \(column)")
        }
        return index
    }

    private func name(at index: Int) -> String {
        index < self.columns.count ? self.columns[index] : "#\(index)"
    }
}

/// The rows a statement returned, and how many rows it affected.
public struct PostgresRows: Sendable {
    public let columns: [String]
    public let rows: [PostgresRow]
    /// `PQcmdTuples`: rows inserted, updated, deleted, copied or selected.
    public let affectedRows: Int

    public init(columns: [String], rows: [PostgresRow], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    public var first: PostgresRow? { self.rows.first }
    public var count: Int { self.rows.count }
}
