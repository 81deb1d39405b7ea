import CLibPQ
import Logging

/// Statements prepared once per connection. Planning a statement under row-level security costs
/// as much as running it (every policy and its helper calls are planned again); the few
/// statements every API request runs are prepared on first use and their plans kept by the
/// server for the connection's life. The server replans them itself when a table, a policy or
/// the role they were planned for changes.
///
/// A statement's name is made from its text, so a name on a server connection always means the
/// same statement, even where a pooler lets other clients' statements share it; a name the
/// server no longer knows (a pooler moved the session, `DISCARD ALL`) fails with SQLSTATE 26000
/// and the connection forgets its names, to prepare them again on next use.
extension PostgresConnection {
    /// Prepared statements kept per connection; text beyond that runs unprepared.
    static let preparedLimit = 64

    /// Runs `sql` as a statement prepared on this connection (one extra round trip the first
    /// time). For fixed statement text only: each distinct text is a statement of its own.
    @discardableResult
    public func queryPrepared(_ sql: SQL) async throws -> PostgresRows {
        try Self.refuseNULBytes(sql)
        guard let name = try await self.preparedName(sql) else { return try await self.query(sql) }
        return try await self.forgettingUnknownNames {
            try await self.run(sql.text) { handle in
                withOptionalCStrings(sql.binds) { values in
                    PQexecPrepared(handle, name, Int32(sql.binds.count), values, nil, nil, 0)
                }
            }
        }
    }

    /// The name `sql` is prepared under on this connection, preparing it now when it is new;
    /// nil when the connection already keeps `preparedLimit` statements.
    func preparedName(_ sql: SQL) async throws -> String? {
        guard self.preparesStatements else { return nil }
        let (known, count) = self.preparedNames.withLock { ($0[sql.text], $0.count) }
        if let known { return known }
        guard count < Self.preparedLimit else { return nil }
        let name = Self.statementName(sql.text)
        _ = try await self.run(sql.text) { handle in PQprepare(handle, name, sql.text, Int32(sql.binds.count), nil) }
        self.preparedNames.withLock { $0[sql.text] = name }
        return name
    }

    /// `crmsync_` and the text's 64-bit FNV-1a hash: the same text gets the same name on every
    /// connection, different texts different names.
    static func statementName(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "crmsync_" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Runs `body`; when the server does not know a prepared statement's name (SQLSTATE 26000),
    /// forgets every name of this connection before rethrowing, so the next use prepares again.
    func forgettingUnknownNames<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError where error.code == .invalidSQLStatementName {
            self.preparedNames.withLock { $0.removeAll() }
            self.logger.warning(
                "a statement prepared on this connection is gone from the server; behind a pooler in transaction mode that does not keep prepared statements, set CRMSYNC_PREPARED_STATEMENTS=off")
            throw error
        }
    }
}
