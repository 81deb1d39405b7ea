import CRMSyncTestSupport
import Foundation
import Testing

/// Every mail account and send route, tried by people who must not reach Alice's mailbox or her
/// queued mail: another organization's users, a colleague of her organization (Bob), and Alice
/// naming an organization she is not in. Each gets a 404 and nothing changes; without a valid
/// token it is a 401.
@Suite("Mail API tenancy: other tenants and other users get 404 and change nothing")
struct MailTenancyAPITests {
    @Test("account, disconnect, sync, send and outbox routes refuse intruders; the owner reaches them")
    func refusesIntruders() async throws {
        try await ServerHarness.with("mail_api_tenancy") { harness in
            let queued = try await MailSendAPITests.send(harness, key: "alice-1", as: Demo.alice, json: MailSendAPITests.simple())
            let outbox = try #require(try AccountAPITests.json(queued)["id"] as? String)
            let account = MailAccountAPITests.alicePath
            var sendFromAlice = MailSendAPITests.simple()
            sendFromAlice["to"] = ["thief@example.test"]
            let routes: [(String, String, Any?)] = [
                ("GET", account, nil),
                ("PATCH", account, ["sync_enabled": false]),
                ("PATCH", account, ["sharing_level": "full"]),
                ("PATCH", account, ["sync_folders": ["Stolen"]]),
                ("POST", account + "/sync", nil),
                ("GET", account + "/sync-log", nil),
                ("GET", "/v1/mail/outbox/\(outbox)", nil),
                ("DELETE", account, nil),
                ("DELETE", account + "?delete_mail=true", nil),
            ]
            let before = try await harness.fingerprint()
            for intruder in APITenancyTests.intruders {
                for (method, path, body) in routes {
                    let response = try await harness.api(method, path, as: intruder.user, in: intruder.organization, json: body)
                    #expect(response.status == 404, "\(intruder): \(method) \(path)")
                    #expect(AccountAPITests.errorCode(response) == "not_found", "\(intruder): \(method) \(path)")
                }
                // Sending from Alice's mailbox, and replaying Alice's key, queue nothing for anyone.
                let send = try await MailSendAPITests.send(harness, key: "alice-1", as: intruder.user, in: intruder.organization, json: sendFromAlice)
                #expect(send.status == 404, "\(intruder): send from alice's mailbox")
                let accounts = try await harness.api("GET", "/v1/mail/accounts", as: intruder.user, in: intruder.organization)
                let ids = (try AccountAPITests.json(accounts)["accounts"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                #expect(ids?.contains(Demo.aliceEmail.uuidString.lowercased()) == false, "\(intruder)")
            }
            // No token, a token signed with another secret, a forged organization header.
            let forgedToken = try await harness.token(for: Demo.alice, secret: "not-the-server-secret-0123456789abcdef")
            for (method, path, body) in routes + [("POST", "/v1/mail/messages", MailSendAPITests.simple() as Any?)] {
                let anonymous = try await harness.send(method, path, headers: ["X-Organization-Id": Demo.acme.uuidString])
                #expect(anonymous.status == 401, "anonymous \(method) \(path)")
                let forged = try await harness.api(method, path, as: Demo.alice, in: Demo.acme, json: body, token: forgedToken)
                #expect(forged.status == 401, "bad token \(method) \(path)")
            }
            #expect(try await harness.fingerprint() == before)

            // Alice owns the organization: her admin role reaches no one's mailbox or outbox either.
            let bobEmail = try #require(try await harness.scalar("select id::text from email_accounts where user_id = \(Demo.bob)"))
            var bobs = MailSendAPITests.simple()
            bobs["account_id"] = bobEmail
            let bobQueued = try await MailSendAPITests.send(harness, key: "bob-1", as: Demo.bob, json: bobs)
            let bobOutbox = try #require(try AccountAPITests.json(bobQueued)["id"] as? String)
            let adminBefore = try await harness.fingerprint()
            for (method, path, body) in [
                ("GET", "/v1/mail/accounts/\(bobEmail)", nil), ("PATCH", "/v1/mail/accounts/\(bobEmail)", ["sharing_level": "full"]),
                ("POST", "/v1/mail/accounts/\(bobEmail)/sync", nil), ("GET", "/v1/mail/accounts/\(bobEmail)/sync-log", nil),
                ("DELETE", "/v1/mail/accounts/\(bobEmail)", nil), ("GET", "/v1/mail/outbox/\(bobOutbox)", nil),
            ] as [(String, String, Any?)] {
                let response = try await harness.api(method, path, as: Demo.alice, in: Demo.acme, json: body)
                #expect(response.status == 404, "admin alice: \(method) \(path)")
            }
            #expect(try await harness.fingerprint() == adminBefore)

            let garbled = try await harness.send(
                "GET", account, headers: ["Authorization": "Bearer \(try await harness.token(for: Demo.alice))", "X-Organization-Id": "acme"])
            #expect(garbled.status == 400)

            // The owner reaches the same objects (so the 404s above are about who asks).
            for (method, path, body) in routes where method == "GET" {
                let response = try await harness.api(method, path, as: Demo.alice, in: Demo.acme, json: body)
                #expect(response.status == 200, "alice: \(method) \(path)")
            }
        }
    }

    @Test("malformed ids, parameters and bodies on every mail route are 4xx, never 500")
    func malformedNever500() async throws {
        try await ServerHarness.with("mail_api_malformed") { harness in
            let account = MailAccountAPITests.alicePath
            let before = try await harness.fingerprint()
            let cases: [(String, String, Any?, Int, String)] = [
                ("GET", "/v1/mail/accounts/not-a-uuid", nil, 400, "invalid_id"),
                ("PATCH", "/v1/mail/accounts/not-a-uuid", ["sync_enabled": false], 400, "invalid_id"),
                ("DELETE", "/v1/mail/accounts/not-a-uuid", nil, 400, "invalid_id"),
                ("GET", "/v1/mail/outbox/nope", nil, 400, "invalid_id"),
                ("GET", "/v1/mail/outbox/\(UUID().uuidString)", nil, 404, "not_found"),
                ("GET", account + "/sync-log?limit=0", nil, 400, "invalid_parameter"),
                ("GET", account + "/sync-log?limit=abc", nil, 400, "invalid_parameter"),
                ("DELETE", account + "?delete_mail=perhaps", nil, 400, "invalid_parameter"),
                ("PATCH", account, ["sharing_level": "everyone"], 400, "invalid_field"),
                ("PATCH", account, ["sync_enabled": "yes"], 400, "invalid_field"),
                ("PATCH", account, ["sync_folders": "INBOX"], 400, "invalid_field"),
                ("PATCH", account, ["sync_folders": ["  "]], 400, "invalid_field"),
                ("PATCH", account, ["sync_folders": ["INBOX", "INBOX"]], 400, "invalid_field"),
                ("PATCH", account, ["sync_folders": ["a\u{0}b"]], 400, "invalid_field"),
                ("PATCH", account, ["sync_folders": [String(repeating: "f", count: 1001)]], 400, "invalid_field"),
                ("PATCH", account, ["sync_folders": NSNull()], 400, "invalid_value"),
                ("PATCH", account, ["password": "x"], 400, "unknown_field"),
                ("PATCH", account, [1, 2], 400, "invalid_json"),
                ("POST", "/v1/mail/accounts/connect", ["provider": "imap", "email": "x@example.test", "password": "p"], 400, "invalid_field"),
                ("POST", "/v1/mail/accounts/connect", ["provider": "imap", "email": "nope", "password": "p", "imap": ["host": "h"], "smtp": ["host": "h"]], 400, "invalid_field"),
                ("POST", "/v1/mail/accounts/connect", ["provider": "imap", "email": "x@example.test", "password": "p", "imap": ["host": "h", "port": 0], "smtp": ["host": "h"]], 400, "invalid_field"),
                ("POST", "/v1/mail/accounts/connect", ["provider": "imap", "email": "x@example.test", "password": "p", "imap": ["host": "h/x"], "smtp": ["host": "h"]], 400, "invalid_field"),
                ("POST", "/v1/mail/accounts/connect", ["provider": "imap", "email": "x@example.test", "password": "p", "imap": ["host": "h", "security": "none"], "smtp": ["host": "h"]], 400, "invalid_field"),
                ("POST", "/v1/mail/accounts/connect", ["provider": "imap", "email": "x@example.test", "password": "p", "imap": ["host": "h", "colour": 1], "smtp": ["host": "h"]], 400, "invalid_field"),
                ("POST", "/v1/mail/accounts/connect", ["provider": "apple", "email": "x@icloud.example"], 400, "invalid_field"),
                ("POST", "/v1/mail/accounts/connect", ["provider": "gmail", "password": "p"], 400, "invalid_field"),
            ]
            for (method, path, body, status, code) in cases {
                let response = try await harness.api(method, path, as: Demo.alice, in: Demo.acme, json: body)
                #expect(response.status == status, "\(method) \(path) \(String(describing: body))")
                #expect(AccountAPITests.errorCode(response) == code, "\(method) \(path) \(String(describing: body))")
            }
            #expect(try await harness.fingerprint() == before)
        }
    }
}
