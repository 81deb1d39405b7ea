import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import Testing

/// Every object route, tried by people who must not reach the object: a user of another
/// organization (in their own organization, and claiming the victim's), another user of the
/// same organization, and a user naming an organization they do not belong to. Each gets a 404
/// (never a 403 that would confirm the object exists) and the database is unchanged.
@Suite("Backend API tenancy: other tenants and other users get 404 and change nothing")
struct APITenancyTests {
    struct Attempt: CustomStringConvertible {
        var who: String
        var user: UUID
        var organization: UUID
        var description: String { self.who }
    }

    static let intruders: [Attempt] = [
        Attempt(who: "hank@globex in globex", user: Demo.hank, organization: Demo.globex),
        Attempt(who: "gina@globex claiming acme", user: Demo.gina, organization: Demo.acme),
        Attempt(who: "bob@acme (same org, other user)", user: Demo.bob, organization: Demo.acme),
        Attempt(who: "alice@acme naming globex", user: Demo.alice, organization: Demo.globex),
    ]

    @Test("object routes answer 404 to everyone but the owner, and nothing changes")
    func objectRoutesRefuseIntruders() async throws {
        try await ServerHarness.with("api_tenancy") { harness in
            let conflict = try await AccountAPITests.insertConflict(harness, account: Demo.aliceCalendar)
            let account = "/v1/calendar/accounts/\(Demo.aliceCalendar.uuidString.lowercased())"
            let routes: [(String, String, Any?)] = [
                ("GET", account, nil),
                ("PATCH", account, ["sync_enabled": false]),
                ("PATCH", account, ["calendar_id": "stolen@example.com"]),
                ("POST", account + "/sync", nil),
                ("GET", account + "/sync-log", nil),
                ("POST", "/v1/calendar/conflicts/\(conflict.uuidString.lowercased())/resolve", ["keep": "crm"]),
            ]
            let before = try await harness.fingerprint()
            for intruder in Self.intruders {
                for (method, path, body) in routes {
                    let response = try await harness.api(method, path, as: intruder.user, in: intruder.organization, json: body)
                    #expect(response.status == 404, "\(intruder): \(method) \(path)")
                    #expect(AccountAPITests.errorCode(response) == "not_found", "\(intruder): \(method) \(path)")
                }
                // Lists are empty rather than refused.
                let conflicts = try await harness.api(
                    "GET", "/v1/calendar/conflicts?status=all&account_id=\(Demo.aliceCalendar.uuidString)", as: intruder.user,
                    in: intruder.organization)
                #expect(conflicts.status == 200)
                #expect((try AccountAPITests.json(conflicts)["conflicts"] as? [Any])?.isEmpty == true, "\(intruder)")
                let accounts = try await harness.api("GET", "/v1/calendar/accounts", as: intruder.user, in: intruder.organization)
                let ids = (try AccountAPITests.json(accounts)["accounts"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                #expect(ids?.contains(Demo.aliceCalendar.uuidString.lowercased()) == false, "\(intruder)")
            }
            #expect(try await harness.fingerprint() == before)

            // The owner reaches the same objects (so the 404s above are about who asks).
            for (method, path, body) in routes where method == "GET" {
                let response = try await harness.api(method, path, as: Demo.alice, in: Demo.acme, json: body)
                #expect(response.status == 200, "alice: \(method) \(path)")
            }
        }
    }
}
