import Foundation
import PostgresClient
import Testing

/// `queryPrepared`: the same answers as `query`, one round trip once prepared, errors as typed
/// as ever, and a plan the server keeps replanning when what it depends on changes.
@Suite("Prepared statements")
struct PreparedStatementTests {
    @Test("prepared once per connection, then one round trip per call, with the same rows as query")
    func preparedOnce() async throws {
        let connection = try await PostgresConnection.connect(try ConnectionTests.configuration())
        let statement: (Int) -> SQL = { n in "select \(n)::int + 1, \("zoë")::text" }
        let before = connection.roundTrips
        let first = try #require(try await connection.queryPrepared(statement(1)).first)
        #expect(connection.roundTrips - before == 2)  // prepare + execute
        let again = connection.roundTrips
        let second = try #require(try await connection.queryPrepared(statement(41)).first)
        #expect(connection.roundTrips - again == 1)
        #expect(try first.decode(Int.self, at: 0) == 2)
        #expect(try second.decode(Int.self, at: 0) == 42)
        #expect(try second.decode(String.self, at: 1) == "zoë")
        let plain = try #require(try await connection.query(statement(41)).first)
        #expect(try plain.decode(Int.self, at: 0) == 42)
    }

    @Test("a failing prepared statement is a typed error, and the connection goes on")
    func errors() async throws {
        let connection = try await PostgresConnection.connect(try ConnectionTests.configuration())
        await #expect(throws: PostgresError.self) { try await connection.queryPrepared("select 1 / \(0)::int") }
        await #expect(throws: PostgresError.self) { try await connection.queryPrepared("select no_such_column") }
        await #expect(throws: PostgresError.self) { try await connection.queryPrepared("select \("a\u{0}b")::text") }
        #expect(try await connection.queryPrepared("select 1 / \(1)::int").first?.decode(Int.self, at: 0) == 1)
        // prepared inside a transaction that rolls back: still usable afterwards
        await #expect(throws: PostgresError.self) {
            try await connection.transaction { connection in
                try await connection.queryPrepared("select \(7)::int")
                throw PostgresError(.connection, message: "rolled back on purpose")
            }
        }
        #expect(try await connection.queryPrepared("select \(8)::int").first?.decode(Int.self, at: 0) == 8)
    }

    @Test("a prepared statement follows a table that changed under it")
    func replans() async throws {
        let connection = try await PostgresConnection.connect(try ConnectionTests.configuration())
        try await connection.execute("create temp table prepared_t (id int); insert into prepared_t values (1), (2)")
        #expect(try await connection.queryPrepared("select count(*)::int from prepared_t").first?.decode(Int.self, at: 0) == 2)
        try await connection.execute("alter table prepared_t add column note text; insert into prepared_t values (3, 'x')")
        #expect(try await connection.queryPrepared("select count(*)::int from prepared_t").first?.decode(Int.self, at: 0) == 3)
    }
}

/// `transaction(startingWith:)`: BEGIN and the first statement in one round trip once prepared,
/// the transaction as atomic as ever, a failing first statement rolled back.
@Suite("Transactions begun with a prepared statement")
struct PipelinedTransactionTests {
    @Test("BEGIN and the first statement share a round trip; the body sees what it set")
    func oneRoundTrip() async throws {
        let connection = try await PostgresConnection.connect(try ConnectionTests.configuration())
        let setUp: (String) -> SQL = { value in "select set_config('app.pipelined', \(value), true)" }
        let seen = try await connection.transaction(startingWith: setUp("first")) { connection in
            try await connection.query("select current_setting('app.pipelined')").first?.decode(String.self, at: 0)
        }
        #expect(seen == "first")
        let before = connection.roundTrips
        let again = try await connection.transaction(startingWith: setUp("second")) { connection in
            try await connection.query("select current_setting('app.pipelined')").first?.decode(String.self, at: 0)
        }
        #expect(again == "second")
        #expect(connection.roundTrips - before == 3)  // begin + set-up, the query, commit
        #expect(connection.isReusable)
        // transaction-local: gone after commit
        #expect(try await connection.query("select current_setting('app.pipelined', true)").first?.decode(String?.self, at: 0) ?? "" == "")
    }

    @Test("a failing first statement or body rolls back and leaves the connection reusable")
    func rollsBack() async throws {
        let connection = try await PostgresConnection.connect(try ConnectionTests.configuration())
        try await connection.execute("create temp table pipelined_t (n int)")
        let failing: (Int) -> SQL = { n in "select 1 / \(n)::int" }
        _ = try await connection.transaction(startingWith: failing(1)) { _ in }
        await #expect(throws: PostgresError.self) {
            try await connection.transaction(startingWith: failing(0)) { connection in
                try await connection.execute("insert into pipelined_t values (1)")
            }
        }
        await #expect(throws: PostgresError.self) {
            try await connection.transaction(startingWith: failing(1)) { connection in
                try await connection.execute("insert into pipelined_t values (2)")
                try await connection.execute("select 1 / 0")
            }
        }
        #expect(connection.isReusable)
        #expect(try await connection.query("select count(*)::int from pipelined_t").first?.decode(Int.self, at: 0) == 0)
        #expect(try await connection.transaction(startingWith: failing(1)) { c in
            try await c.query("select 5").first?.decode(Int.self, at: 0)
        } == 5)
    }
}

/// `readTransaction`: a session set-up and one read in one round trip, atomic, and a failure
/// that leaves the connection as clean as before.
@Suite("Reads in one round trip")
struct ReadTransactionTests {
    @Test("BEGIN, set-up, query and COMMIT travel together once prepared; the query sees the set-up")
    func oneRoundTrip() async throws {
        let connection = try await PostgresConnection.connect(try ConnectionTests.configuration())
        let setUp: (String) -> SQL = { value in "select set_config('app.read_one', \(value), true)" }
        let query: SQL = "select current_setting('app.read_one')"
        #expect(try await connection.readTransaction(startingWith: setUp("a"), query).first?.decode(String.self, at: 0) == "a")
        // prepared under the role the set-up gives: a temp table only this session can name
        try await connection.execute("create temp table read_one_t (n int); insert into read_one_t values (7)")
        let counted: SQL = "select count(*)::int from read_one_t where n = \(7)"
        #expect(try await connection.readTransaction(startingWith: setUp("c"), counted).first?.decode(Int.self, at: 0) == 1)
        #expect(try await connection.readTransaction(startingWith: setUp("c"), counted).first?.decode(Int.self, at: 0) == 1)
        let before = connection.roundTrips
        #expect(try await connection.readTransaction(startingWith: setUp("b"), query).first?.decode(String.self, at: 0) == "b")
        #expect(connection.roundTrips - before == 1)
        #expect(connection.isReusable)
        #expect(try await connection.query("select current_setting('app.read_one', true)").first?.decode(String?.self, at: 0) ?? "" == "")
    }

    @Test("a failing set-up or query is thrown, rolled back, and the connection stays reusable")
    func failures() async throws {
        let connection = try await PostgresConnection.connect(try ConnectionTests.configuration())
        let divide: (Int) -> SQL = { n in "select 1 / \(n)::int" }
        _ = try await connection.readTransaction(startingWith: divide(1), divide(1))
        await #expect(throws: PostgresError.self) { try await connection.readTransaction(startingWith: divide(0), divide(1)) }
        #expect(connection.isReusable)
        await #expect(throws: PostgresError.self) { try await connection.readTransaction(startingWith: divide(1), divide(0)) }
        #expect(connection.isReusable)
        #expect(try await connection.readTransaction(startingWith: divide(1), divide(1)).first?.decode(Int.self, at: 0) == 1)
    }
}
