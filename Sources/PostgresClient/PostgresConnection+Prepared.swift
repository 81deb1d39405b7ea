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
        let (known, count) = self.preparedNames.withLock { ($0[sql.text], $0.count) }
        guard known != nil || count < Self.preparedLimit else { return try await self.query(sql) }
        // One task uses a connection at a time, so the next number is free until it is recorded.
        let name = known ?? "crmsync_\(count + 1)"
        if known == nil {
            _ = try await self.run(sql.text) { handle in
                PQprepare(handle, name, sql.text, Int32(sql.binds.count), nil)
            }
            self.preparedNames.withLock { $0[sql.text] = name }
        }
        return try await self.run(sql.text) { handle in
            withOptionalCStrings(sql.binds) { values in
                PQexecPrepared(handle, name, Int32(sql.binds.count), values, nil, nil, 0)
            }
        }
    }
}

extension PostgresConnection {
    /// Runs `body` inside `BEGIN … COMMIT` like `transaction`, with `first` (a prepared
    /// statement: the session set-up every request runs) sent together with `BEGIN` in one
    /// round trip (libpq pipeline mode). Rolls back when either or `body` throws.
    @discardableResult
    public func transaction<T>(startingWith first: SQL, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            try await self.beginPipelined(with: first)
            let value = try await body(self)
            try await self.execute("commit")
            return value
        } catch {
            // The original error matters more than a failed rollback on a broken connection.
            _ = try? await self.execute("rollback")
            throw error
        }
    }

    private func beginPipelined(with sql: SQL) async throws {
        try Self.refuseNULBytes(sql)
        let known = self.preparedNames.withLock { $0[sql.text] }
        guard let name = known else {
            // Not yet prepared on this connection: two round trips this once.
            try await self.execute("begin")
            try await self.queryPrepared(sql)
            return
        }
        _ = try await self.run(sql.text) { handle in
            guard PQenterPipelineMode(handle) == 1 else { return nil }
            let sent = PQsendQueryParams(handle, "begin", 0, nil, nil, nil, nil, 0) == 1
                && withOptionalCStrings(sql.binds) { values in
                    PQsendQueryPrepared(handle, name, Int32(sql.binds.count), values, nil, nil, 0) == 1
                }
                && PQpipelineSync(handle) == 1
            // Each statement's result (then the null that ends it), then the sync point.
            var results: [OpaquePointer] = []
            if sent {
                for _ in 0..<2 {
                    guard let result = PQgetResult(handle) else { break }
                    results.append(result)
                    while let extra = PQgetResult(handle) { PQclear(extra) }
                }
                if let sync = PQgetResult(handle) { PQclear(sync) }
            }
            _ = PQexitPipelineMode(handle)
            // The first failure is the answer (the statements after it report PIPELINE_ABORTED).
            let answer = results.first { ![PGRES_COMMAND_OK, PGRES_TUPLES_OK].contains(PQresultStatus($0)) } ?? results.last
            for result in results where result != answer { PQclear(result) }
            return answer
        }
    }
}
