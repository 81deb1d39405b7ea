import Foundation
import Testing

@testable import PostgresClient

@Suite("Value coding (no database)")
struct ValueCodingTests {
    @Test("timestamps round-trip with microseconds and any offset")
    func timestamps() throws {
        let date = try #require(Date(postgresText: "2026-03-08 09:30:00.123456+00"))
        #expect(abs(date.timeIntervalSince1970 - 1_772_962_200.123456) < 0.000_001)
        #expect(date.postgresText == "2026-03-08 09:30:00.123456+00")
        #expect(Date(postgresText: "2026-03-08 11:30:00+02") == Date(postgresText: "2026-03-08 09:30:00+00"))
        #expect(Date(postgresText: "2026-03-08 04:00:00-05:30") == Date(postgresText: "2026-03-08 09:30:00Z"))
        #expect(Date(postgresText: "2026-13-08 nonsense") == nil)
    }

    @Test("bytea hex round-trips; malformed hex is refused")
    func bytea() {
        let data = Data([0, 1, 0xAB, 0xFF])
        #expect(data.postgresText == "\\x0001abff")
        #expect(Data(postgresText: "\\x0001abff") == data)
        #expect(Data(postgresText: "\\x0g") == nil)
        #expect(Data(postgresText: "0001") == nil)
    }

    @Test("arrays with quotes, commas, backslashes and NULL")
    func arrays() {
        let values = ["plain", "with space", "comma,inside", "quote\"d", "back\\slash"]
        let literal = values.postgresText
        #expect(literal == #"{"plain","with space","comma,inside","quote\"d","back\\slash"}"#)
        #expect([String](postgresText: literal!) == values)
        #expect([String](postgresText: #"{a,"b c",d}"#) == ["a", "b c", "d"])
        #expect([String](postgresText: "{}") == [])
        #expect(PostgresArrayLiteral.parse("{a,NULL,\"NULL\"}") == ["a", nil, "NULL"])
        #expect([String](postgresText: "{a,NULL}") == nil)
        #expect([Int](postgresText: "{1,2,3}") == [1, 2, 3])
    }

    @Test("statements interpolate values as binds, never as text")
    func interpolation() {
        let hostile = "x'); drop table appointments; --"
        let id = UUID()
        let sql: SQL = "select * from t where a = \(hostile) and b = \(id) and c = \(Optional<Int>.none)"
        #expect(sql.text == "select * from t where a = $1 and b = $2 and c = $3")
        #expect(sql.binds == [hostile, id.uuidString.lowercased(), nil])
        #expect(!"\(sql)".contains("drop table"), "bind values must print as ****")
    }

    @Test("a malformed database URL is one clear line, without the password")
    func badURL() {
        let configuration = PostgresConfiguration(connectionString: "postgres://user:s3cret@host:notaport/db?bogus=1")
        #expect(throws: PostgresError.self) { try configuration.validate() }
        do {
            try configuration.validate()
        } catch {
            #expect(!"\(error)".contains("s3cret"))
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test("overrides win in the conninfo string")
    func conninfo() throws {
        let configuration = PostgresConfiguration(connectionString: "postgresql://a@localhost:5433/one")
            .loggingIn(as: "crmsync_app", password: "pw'x")
        let text = try configuration.conninfoString()
        #expect(text.contains("user='crmsync_app'"))
        #expect(text.contains("dbname='one'"))
        #expect(text.contains(#"password='pw\'x'"#))
        #expect(!text.contains("user='a'"))
    }
}
