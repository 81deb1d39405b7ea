import CLibPQ

/// Transactions whose fixed statements share round trips (libpq pipeline mode). Every API
/// request opens a transaction and sets its identity before its query; sending those together
/// spares the server and the service a wake-up each.
extension PostgresConnection {
    /// Runs `body` inside `BEGIN … COMMIT` like `transaction`, with `first` (a prepared
    /// statement: the session set-up every request runs) sent together with `BEGIN` in one
    /// round trip. Rolls back when either or `body` throws.
    @discardableResult
    public func transaction<T>(startingWith first: SQL, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try Self.refuseNULBytes(first)
        return try await self.transaction(beginning: {
            if try await self.preparedName(first) != nil {
                _ = try await self.pipelined([.text("begin"), .prepared(first)], answer: 1)
            } else {
                try await self.execute("begin")
                try await self.query(first)
            }
        }, body)
    }

    /// `BEGIN`, `first`, `query`, `COMMIT` in one round trip: a read that is one statement under
    /// a session set-up. Returns `query`'s rows; when anything fails, the transaction is rolled
    /// back and the first failure thrown. The first time on a connection `query` is prepared
    /// inside the transaction, after `first`: what it names may be visible only to the role
    /// `first` sets.
    public func readTransaction(startingWith first: SQL, _ query: SQL) async throws -> PostgresRows {
        try Self.refuseNULBytes(first)
        try Self.refuseNULBytes(query)
        guard self.preparedNames.withLock({ $0[query.text] != nil }), try await self.preparedName(first) != nil else {
            return try await self.transaction(startingWith: first) { connection in
                try await connection.queryPrepared(query)
            }
        }
        do {
            return try await self.pipelined([.text("begin"), .prepared(first), .prepared(query), .text("commit")], answer: 2)
        } catch {
            _ = try? await self.execute("rollback")
            throw error
        }
    }

    enum PipelinedStatement {
        case text(String)
        case prepared(SQL)
    }

    /// Sends `statements` and one sync, reads every result, and returns the rows of the one at
    /// `answer`, or throws the first failure (the statements after it report PIPELINE_ABORTED).
    private func pipelined(_ statements: [PipelinedStatement], answer: Int) async throws -> PostgresRows {
        let names = self.preparedNames.withLock { names in
            statements.map { statement -> String? in
                if case .prepared(let sql) = statement { return names[sql.text] }
                return nil
            }
        }
        // the text errors name: the answer's statement
        var text: String? = nil
        if case .prepared(let sql) = statements[answer] { text = sql.text }
        return try await self.forgettingUnknownNames {
            try await self.run(text) { handle in
                guard PQenterPipelineMode(handle) == 1 else { return nil }
                var sent = true
                for (index, statement) in statements.enumerated() where sent {
                    switch statement {
                    case .text(let command):
                        sent = PQsendQueryParams(handle, command, 0, nil, nil, nil, nil, 0) == 1
                    case .prepared(let sql):
                        guard let name = names[index] else { sent = false; break }
                        sent = withOptionalCStrings(sql.binds) { values in
                            PQsendQueryPrepared(handle, name, Int32(sql.binds.count), values, nil, nil, 0) == 1
                        }
                    }
                }
                sent = sent && PQpipelineSync(handle) == 1
                // Each statement's result (then the null that ends it), then the sync point.
                var results: [OpaquePointer] = []
                if sent {
                    for _ in statements {
                        guard let result = PQgetResult(handle) else { break }
                        results.append(result)
                        while let extra = PQgetResult(handle) { PQclear(extra) }
                    }
                    if let sync = PQgetResult(handle) { PQclear(sync) }
                }
                _ = PQexitPipelineMode(handle)
                let failed = results.first { ![PGRES_COMMAND_OK, PGRES_TUPLES_OK].contains(PQresultStatus($0)) }
                let chosen = failed ?? (results.count == statements.count ? results[answer] : nil)
                for result in results where result != chosen { PQclear(result) }
                return chosen
            }
        }
    }
}
