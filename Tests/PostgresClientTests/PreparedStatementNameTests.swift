import Foundation
@testable import PostgresClient
import Testing

/// Prepared statements where a server connection may not be the client's alone (a pooler): a
/// name always means one statement text, a name the server forgot is prepared again, and
/// `preparesStatements = false` keeps the connection free of them.
@Suite("Prepared statement names")
struct PreparedStatementNameTests {
    private static func preparedName(of text: String, on connection: PostgresConnection) async throws -> String? {
        try await connection.query("select name from pg_prepared_statements where statement = \(text)").first?
            .decode(String.self, at: 0)
    }

    @Test("a statement's name comes from its text: the same on every connection, another for other text")
    func namesFollowTheText() async throws {
        let first = try await PostgresConnection.connect(try ConnectionTests.configuration())
        let second = try await PostgresConnection.connect(try ConnectionTests.configuration())
        let statement: SQL = "select \(1)::int + 1"
        let other: SQL = "select \(1)::int + 2"
        _ = try await first.queryPrepared(statement)
        _ = try await second.queryPrepared(statement)
        _ = try await second.queryPrepared(other)
        let onFirst = try #require(try await Self.preparedName(of: statement.text, on: first))
        let onSecond = try #require(try await Self.preparedName(of: statement.text, on: second))
        let otherName = try #require(try await Self.preparedName(of: other.text, on: second))
        #expect(onFirst == onSecond)
        #expect(onFirst == PostgresConnection.statementName(statement.text))
        #expect(otherName != onFirst)
    }

    @Test("a name the server forgot fails once with SQLSTATE 26000, then is prepared again")
    func forgottenNames() async throws {
        let connection = try await PostgresConnection.connect(try ConnectionTests.configuration())
        let statement: SQL = "select \(5)::int * 2"
        let setUp: SQL = "select set_config('app.forgotten', \("yes"), true)"
        #expect(try await connection.queryPrepared(statement).first?.decode(Int.self, at: 0) == 10)
        // what a pooler's DISCARD ALL, or a move to another server connection, does
        try await connection.execute("deallocate all")
        let error = await #expect(throws: PostgresError.self) { try await connection.queryPrepared(statement) }
        #expect(error?.code == .invalidSQLStatementName)
        #expect(try await connection.queryPrepared(statement).first?.decode(Int.self, at: 0) == 10)
        // the pipelined read, once its statements are prepared
        _ = try await connection.readTransaction(startingWith: setUp, "select current_setting('app.forgotten')")
        try await connection.execute("deallocate all")
        let pipelined = await #expect(throws: PostgresError.self) {
            try await connection.readTransaction(startingWith: setUp, "select current_setting('app.forgotten')")
        }
        #expect(pipelined?.code == .invalidSQLStatementName)
        let answer = try await connection.readTransaction(startingWith: setUp, "select current_setting('app.forgotten')")
        #expect(try answer.first?.decode(String.self, at: 0) == "yes")
        // the set-up and the read, prepared again; the rest was forgotten with them
        #expect(try await connection.query("select count(*)::int from pg_prepared_statements").first?.decode(Int.self, at: 0) == 2)
    }

    @Test("with prepared statements off, every call answers and nothing is kept on the connection")
    func off() async throws {
        var configuration = try ConnectionTests.configuration()
        configuration.preparesStatements = false
        let connection = try await PostgresConnection.connect(configuration)
        let setUp: SQL = "select set_config('app.unprepared', \("on"), true)"
        #expect(try await connection.queryPrepared("select \(20)::int + 1").first?.decode(Int.self, at: 0) == 21)
        let seen = try await connection.transaction(startingWith: setUp) { connection in
            try await connection.queryPrepared("select current_setting('app.unprepared')").first?.decode(String.self, at: 0)
        }
        #expect(seen == "on")
        for _ in 0..<2 {
            let read = try await connection.readTransaction(startingWith: setUp, "select current_setting('app.unprepared')")
            #expect(try read.first?.decode(String.self, at: 0) == "on")
        }
        #expect(try await connection.query("select count(*)::int from pg_prepared_statements").first?.decode(Int.self, at: 0) == 0)
        // nothing of the transactions lingers: the setting was transaction-local
        #expect(try await connection.query("select coalesce(current_setting('app.unprepared', true), '')").first?.decode(String.self, at: 0) == "")
    }
}
