import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// The tenancy matrix for the browser connect flow's pending states (sql/250): the table and
/// begin/consume/finish_calendar_connect as every wrong actor.
extension TenancyMatrixTests {
    /// The states `insertConnectStates` begins: alice's (Acme) and hank's (Globex).
    static let aliceConnectState = "matrix-alice-state-0123456789abcdef0123456789abcdef"
    static let hankConnectState = "matrix-hank-state-0123456789abcdef0123456789abcdef"
    static let connectVerifier = "matrix-verifier-0123456789abcdef0123456789abcdef-0123456789"
    /// Their row ids, fixed after `begin` so cases can name them.
    static let aliceConnectStateID = UUID(uuidString: "10000000-0000-4000-8000-00000000c5a1")!
    static let hankConnectStateID = UUID(uuidString: "20000000-0000-4000-8000-00000000c5b2")!

    /// Begins one flow as alice@acme and one as hank@globex, the way the service does.
    static func insertConnectStates(_ database: TestDatabase) async throws {
        let states = OAuthConnectStates(database: database.tenant(maxConnections: 1))
        _ = try await states.begin(
            Demo.aliceAtAcme, provider: "google", state: Self.aliceConnectState, codeVerifier: Self.connectVerifier,
            calendarID: nil)
        _ = try await states.begin(
            Demo.hankAtGlobex, provider: "outlook", state: Self.hankConnectState, codeVerifier: Self.connectVerifier,
            calendarID: nil)
        let admin = try await database.adminConnection()
        try await admin.query(
            "update public.oauth_connect_states set id = \(Self.aliceConnectStateID) where user_id = \(Demo.alice)")
        try await admin.query(
            "update public.oauth_connect_states set id = \(Self.hankConnectStateID) where user_id = \(Demo.hank)")
    }

    static var connectStateCases: [MatrixCase] {
        var m = MatrixCases("oauth_connect_states")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.oauth_connect_states where organization_id = \(acme)"
        let readGlobex: SQL = "select id from public.oauth_connect_states where organization_id = \(globex)"
        m.add(.select, .alice, "person reads own pending connect", readAcme, .rows(1))
        m.add(.select, .hank, "person reads own pending connect (Globex)", readGlobex, .rows(1))
        m.add(.select, .bob, "same organization, other person reads alice's connect", readAcme, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme, "read Acme connect states", readAcme, .noRows)
        m.add(.select, .gina, "organization owner reads a member's connect (no admin reach)", readGlobex, .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex connect states", readGlobex, .noRows)
        m.add(.select, [.workerAlice, .workerHank, .workerNobody], "worker reads connect states", readAcme, .denied)
        for column in ["state_hash", "code_verifier_encrypted", "token_key_id"] {
            let sql: SQL = "select \(unescaped: column) from public.oauth_connect_states"
            m.add(.select, [.alice, .bob, .nobody], "secret column \(column)", sql, .denied)
        }

        func insert(_ org: UUID, _ user: UUID) -> SQL {
            """
            insert into public.oauth_connect_states
                   (id, organization_id, user_id, provider, state_hash, code_verifier_encrypted, token_key_id, expires_at)
            values (\(Seed.new1), \(org), \(user), 'google', extensions.digest('forged', 'sha256'), decode('00', 'hex'), 'k',
                    now() + interval '1 year')
            """
        }
        m.add(.insert, .alice, "person plants a state directly", insert(acme, Demo.alice), .denied)
        m.add(.insert, [.hank, .nobody, .hankForgingAcme], "plant a state for alice", insert(acme, Demo.alice), .denied)
        m.add(.insert, [.workerAlice, .workerNobody], "worker plants a state", insert(acme, Demo.alice), .denied)

        let extend: SQL =
            "update public.oauth_connect_states set expires_at = now() + interval '1 year' where organization_id = \(acme)"
        m.add(.update, .alice, "person extends own state", extend, .denied)
        m.add(.update, .alice, "person un-consumes own state",
              "update public.oauth_connect_states set consumed_at = null where organization_id = \(acme)", .denied)
        m.add(.update, [.bob, .hank, .nobody, .hankForgingAcme], "extend alice's state", extend, .denied)
        m.add(.update, [.workerAlice, .workerHank], "worker extends a state", extend, .denied)

        let remove: SQL = "delete from public.oauth_connect_states where organization_id = \(acme)"
        m.add(.delete, [.alice, .bob, .hank, .nobody, .hankForgingAcme], "delete connect states", remove, .denied)
        m.add(.delete, [.workerAlice, .workerNobody], "worker deletes connect states", remove, .denied)

        // begin_calendar_connect: the caller's identity, a member of the active organization
        func begin(_ state: String) -> SQL {
            "select id from public.begin_calendar_connect('google', \(state), \(Self.connectVerifier), null)"
        }
        let fresh = "matrix-fresh-state-0123456789abcdef0123456789abcdef"
        m.add(.function, .bob, "begin_calendar_connect as a member", begin(fresh), .rows(1), table: "oauth_connect_states")
        m.add(.function, [.nobody, .hankForgingAcme, .aliceForgingGlobex], "begin_calendar_connect without membership",
              begin(fresh), .denied, table: "oauth_connect_states")
        m.add(.function, [.workerAlice, .workerNobody], "begin_calendar_connect as the worker", begin(fresh), .denied,
              table: "oauth_connect_states")

        // consume_calendar_connect: the service (worker) only, no identity needed
        func consume(_ state: String) -> SQL {
            "select outcome from public.consume_calendar_connect(\(state))"
        }
        m.add(.function, .workerNobody, "consume_calendar_connect with no identity", consume(Self.aliceConnectState),
              .value("ok"), table: "oauth_connect_states")
        m.add(.function, [.alice, .bob, .hank, .nobody, .hankForgingAcme], "consume_calendar_connect as a person",
              consume(Self.aliceConnectState), .denied, table: "oauth_connect_states")
        m.add(.function, .workerHank, "consume_calendar_connect of a made-up state", consume(fresh), .value("unknown"),
              table: "oauth_connect_states")

        // finish_calendar_connect: only the owner of a consumed state, only with their own account
        func finish(_ outcome: String, _ account: UUID?) -> SQL {
            """
            select public.finish_calendar_connect(
              (select id from public.oauth_connect_states where organization_id = \(acme) limit 1), \(outcome), \(account))
            """
        }
        m.add(.function, [.bob, .hank, .nobody, .hankForgingAcme, .workerBob, .workerHank, .workerNobody],
              "finish_calendar_connect of alice's state (unreadable to them)", finish("access_denied", nil), .denied,
              table: "oauth_connect_states")
        let finishAlicesByID: SQL =
            "select public.finish_calendar_connect(\(Self.aliceConnectStateID), 'access_denied', null)"
        m.add(.function, [.bob, .hank, .gina, .aliceForgingGlobex, .workerBob, .workerHank, .workerNobody],
              "finish_calendar_connect of alice's state by id", finishAlicesByID, .denied, table: "oauth_connect_states")
        m.add(.function, .hank, "finish_calendar_connect of own (unconsumed) state by id",
              "select public.finish_calendar_connect(\(Self.hankConnectStateID), 'access_denied', null)", .denied,
              table: "oauth_connect_states")
        m.add(.function, .alice, "finish_calendar_connect of own, unconsumed state", finish("access_denied", nil), .denied,
              table: "oauth_connect_states")
        m.add(.function, .alice, "finish_calendar_connect attaching bob's account",
              finish("connected", Demo.bobCalendar), .denied, table: "oauth_connect_states")
        return m.cases
    }

    @Test("oauth_connect_states and begin/consume/finish_calendar_connect")
    func connectStates() async throws {
        try await TestDatabase.with("tm_connect") { database in
            try await Self.insertConnectStates(database)
            _ = try await Self.run(Self.connectStateCases, on: database)
        }
    }
}
