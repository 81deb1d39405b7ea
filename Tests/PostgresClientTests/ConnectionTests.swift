import Foundation
import PostgresClient
import Testing

/// Against the server `make test` provides (`DATABASE_URL`).
@Suite("Connection and pool")
struct ConnectionTests {
    static func configuration() throws -> PostgresConfiguration {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw PostgresError(.connection, message: "DATABASE_URL is not set: run the tests with `make test`")
        }
        return PostgresConfiguration(connectionString: url)
    }

    @Test("typed values round-trip through the server")
    func roundTrip() async throws {
        let connection = try await PostgresConnection.connect(try Self.configuration())
        let id = UUID()
        let now = Date(timeIntervalSince1970: 1_780_000_000.25)
        let bytes = Data([0, 255, 7])
        let row = try #require(try await connection.query(
            """
            select \(id)::uuid, \("zoë 'quoted'")::text, \(42)::int, \(true)::bool, \(now)::timestamptz,
                   \(bytes)::bytea, \(["a", "b c"])::text[], \(PostgresJSON(text: #"{"k": [1, 2]}"#))::jsonb, null::text
            """
        ).first)
        #expect(try row.decode(UUID.self, at: 0) == id)
        #expect(try row.decode(String.self, at: 1) == "zoë 'quoted'")
        #expect(try row.decode(Int.self, at: 2) == 42)
        #expect(try row.decode(Bool.self, at: 3))
        #expect(try row.decode(Date.self, at: 4) == now)
        #expect(try row.decode(Data.self, at: 5) == bytes)
        #expect(try row.decode([String].self, at: 6) == ["a", "b c"])
        #expect(try row.decode(PostgresJSON.self, at: 7).decode([String: [Int]].self) == ["k": [1, 2]])
        #expect(try row.decode(String?.self, at: 8) == nil)
        #expect(throws: PostgresError.self) { try row.decode(String.self, at: 8) }
        #expect(throws: PostgresError.self) { try row.decode(Int.self, at: 1) }
    }

    @Test("server errors carry SQLSTATE and the query, never the bound values")
    func serverErrors() async throws {
        let connection = try await PostgresConnection.connect(try Self.configuration())
        do {
            try await connection.query("select \("top-secret-value")::int")
            Issue.record("expected an error")
        } catch let error as PostgresError {
            #expect(error.kind == .server)
            #expect(error.code == .invalidTextRepresentation)
            #expect(error.query == "select $1::int")
            #expect(!error.description.contains("top-secret-value"))
        }
        // The connection is still usable after a failed statement.
        #expect(try await connection.query("select 1").first?.decode(Int.self, at: 0) == 1)
    }

    @Test("text with a NUL byte is refused with a typed error, never cut short, and nothing is written")
    func nulByteIsRefused() async throws {
        let connection = try await PostgresConnection.connect(try Self.configuration())
        try await connection.execute("create temporary table notes (v text)")
        do {
            try await connection.query("insert into notes values (\("probe\u{0}tail"))")
            Issue.record("a value with a NUL byte was sent")
        } catch let error as PostgresError {
            #expect(error.kind == .invalidParameter)
            #expect(error.code == .characterNotInRepertoire)
            #expect(error.query == "insert into notes values ($1)")
            #expect(!error.description.contains("probe"))
        }
        #expect(try await connection.query("select count(*) from notes").first?.decode(Int.self, at: 0) == 0)
        // A NUL-free value still goes through, whole.
        try await connection.query("insert into notes values (\("probe tail"))")
        #expect(try await connection.query("select v from notes").first?.decode(String.self, at: 0) == "probe tail")
    }

    @Test("a failed transaction rolls back")
    func transactionRollsBack() async throws {
        let connection = try await PostgresConnection.connect(try Self.configuration())
        try await connection.execute("create temporary table t (v int)")
        await #expect(throws: PostgresError.self) {
            try await connection.transaction { connection in
                try await connection.query("insert into t values (\(1))")
                try await connection.query("select 1/0")
            }
        }
        #expect(try await connection.query("select count(*) from t").first?.decode(Int.self, at: 0) == 0)
    }

    @Test("an unreachable server is one clear line")
    func unreachable() async throws {
        let configuration = PostgresConfiguration(connectionString: "postgresql:///x?host=/nonexistent-dir&port=1")
        do {
            _ = try await PostgresConnection.connect(configuration)
            Issue.record("connected to nothing")
        } catch let error as PostgresError {
            #expect(error.kind == .connection)
            #expect(error.description.hasPrefix("cannot connect to the database"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("the pool never opens more than its bound and serves every waiter")
    func poolBound() async throws {
        let pool = PostgresPool(configuration: try Self.configuration(), maxConnections: 2)
        let pids = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try await connection.query("select pg_backend_pid() from pg_sleep(0.01)").first!.decode(Int.self, at: 0)
                    }
                }
            }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(pids.count <= 2)
        await pool.close()
    }

    @Test("a connection left inside a transaction is not reused")
    func dirtyConnectionIsDropped() async throws {
        let pool = PostgresPool(configuration: try Self.configuration(), maxConnections: 1)
        let first = try await pool.withConnection { connection in
            try await connection.execute("begin")
            return try await connection.query("select pg_backend_pid()").first!.decode(Int.self, at: 0)
        }
        let second = try await pool.withConnection { connection in
            try await connection.query("select pg_backend_pid(), now() = statement_timestamp()").first!.decode(Int.self, at: 0)
        }
        #expect(first != second)
    }

    @Test("COPY streams rows in")
    func copyIn() async throws {
        let connection = try await PostgresConnection.connect(try Self.configuration())
        try await connection.execute("create temporary table c (id int, label text)")
        let copied = try await connection.copyIn("copy c (id, label) from stdin", lines: (1...1000).map { "\($0)\tlabel \($0)\n" })
        #expect(copied == 1000)
        #expect(try await connection.query("select sum(id) from c").first?.decode(Int.self, at: 0) == 500_500)
    }
}

@Suite("Statement statistics")
struct StatementStatisticsTests {
    @Test("a pool counts every statement of its connections, and the time they took")
    func poolCounts() async throws {
        let pool = PostgresPool(configuration: try ConnectionTests.configuration(), maxConnections: 2)
        let before = pool.statistics.statements
        try await pool.withTransaction { connection in
            try await connection.query("select pg_sleep(0.05)")
            try await connection.query("select 1")
        }
        // begin + two statements + commit (the connection's own set-up is counted too).
        #expect(pool.statistics.statements - before >= 4)
        #expect(pool.statistics.duration >= .milliseconds(50))
        await pool.close()
    }
}
