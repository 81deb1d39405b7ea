import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// The per-person limit of pending browser connect flows (20) holds under concurrency:
/// `public.begin_calendar_connect` counts and inserts under a transaction advisory lock of the
/// person in the organization, so concurrent calls cannot all count below the limit.
@Suite("Connect flows: the pending limit under concurrency")
struct ConnectLimitTests {
    static let verifier = "limit-verifier-0123456789abcdef0123456789abcdef-0123456789"

    @Test("40 concurrent connects of one person: exactly 20 begin, 20 are refused with limitExceeded")
    func concurrentConnects() async throws {
        try await TestDatabase.with("connect_limit") { database in
            let tenant = database.tenant(maxConnections: 40)
            // Open all 40 connections first, so the calls below really run at once.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<40 {
                    group.addTask { _ = try await tenant.withSession(Demo.bobAtAcme) { try await $0.query("select pg_sleep(0.2)") } }
                }
                try await group.waitForAll()
            }
            let states = OAuthConnectStates(database: tenant)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        do {
                            _ = try await states.begin(
                                Demo.bobAtAcme, provider: "google",
                                state: "limit-\(index)-0123456789abcdef0123456789abcdef", codeVerifier: Self.verifier,
                                calendarID: nil)
                            return true
                        } catch DatabaseError.limitExceeded {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 20)
            #expect(outcomes.filter { !$0 }.count == 20)
            let admin = try await database.adminConnection()
            let pending = try await admin.query(
                "select count(*)::int from public.oauth_connect_states where user_id = \(Demo.bob) and consumed_at is null"
            ).first?.decode(Int.self, at: 0)
            #expect(pending == 20)
            // Another person of the organization is not held up by bob's limit.
            _ = try await states.begin(
                Demo.aliceAtAcme, provider: "google", state: "limit-alice-0123456789abcdef0123456789abcdef",
                codeVerifier: Self.verifier, calendarID: nil)
        }
    }
}
