import CLibPQ

/// Statements prepared once per connection. Planning a statement under row-level security costs
/// as much as running it (every policy and its helper calls are planned again); the few
/// statements every API request runs are prepared on first use and their plans kept by the
/// server for the connection's life. The server replans them itself when a table, a policy or
/// the role they were planned for changes.
extension PostgresConnection {
    /// Prepared statements kept per connection; text beyond that runs unprepared.
    static let preparedLimit = 64

    /// Runs `sql` as a statement prepared on this connection (one extra round trip the first
    /// time). For fixed statement text only: each distinct text is a statement of its own.
    @discardableResult
    public func queryPrepared(_ sql: SQL) async throws -> PostgresRows {
        try Self.refuseNULBytes(sql)
        guard let name = try await self.preparedName(sql) else { return try await self.query(sql) }
        return try await self.run(sql.text) { handle in
            withOptionalCStrings(sql.binds) { values in
                PQexecPrepared(handle, name, Int32(sql.binds.count), values, nil, nil, 0)
            }
        }
    }

    /// The name `sql` is prepared under on this connection, preparing it now when it is new;
    /// nil when the connection already keeps `preparedLimit` statements.
    func preparedName(_ sql: SQL) async throws -> String? {
        let (known, count) = self.preparedNames.withLock { ($0[sql.text], $0.count) }
        if let known { return known }
        guard count < Self.preparedLimit else { return nil }
        // One task uses a connection at a time, so the next number is free until it is recorded.
        let name = "crmsync_\(count + 1)"
        _ = try await self.run(sql.text) { handle in PQprepare(handle, name, sql.text, Int32(sql.binds.count), nil) }
        self.preparedNames.withLock { $0[sql.text] = name }
        return name
    }
}
