import CRMSyncDatabase
import CRMSyncServer
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// `POST /webhooks/gmail` over real HTTP: Pub/Sub pushes without the deployment's token are
/// refused and change nothing; a genuine one marks the watched mailbox's account due.
@Suite("Gmail push webhook")
struct GmailWebhookTests {
    static let token = "gmail-push-token-0123456789abcdefghijklmnop"

    /// A Pub/Sub push body as Google sends it.
    static func push(email: String, historyId: String = "4242") -> Data {
        let data = Data("{\"emailAddress\":\"\(email)\",\"historyId\":\(historyId)}".utf8).base64EncodedString()
        return Data(
            """
            {"message":{"data":"\(data)","messageId":"136969346945","publishTime":"2026-12-03T07:00:00Z"},
             "subscription":"projects/demo/subscriptions/gmail"}
            """.utf8)
    }

    @Test("forged pushes (no, wrong or empty token; bad bodies) are refused; a genuine push marks only the watched account due")
    func forgedAndGenuine() async throws {
        try await ServerHarness.with("gmail_push", configure: { $0.gmailPushToken = Self.token }) { harness in
            // Alice's seeded Gmail mailbox, watched until tomorrow.
            let account = Demo.aliceEmail
            let admin = try await harness.database.adminConnection()
            try await admin.query(
                "update public.email_accounts set push_expires_at = now() + interval '1 day', sync_requested_at = null where id = \(account)")
            let email = try #require(try await harness.scalar("select email from public.email_accounts where id = \(account)"))
            let before = try await harness.fingerprint()
            let json = ["Content-Type": "application/json"]
            func status(_ query: String, _ body: Data) async throws -> Int {
                try await harness.send("POST", "/webhooks/gmail" + query, headers: json, body: body).status
            }
            #expect(try await status("", Self.push(email: email)) == 401, "no token")
            #expect(try await status("?token=wrong", Self.push(email: email)) == 401, "wrong token")
            #expect(try await status("?token=", Self.push(email: email)) == 401, "empty token")
            #expect(try await status("?token=\(Self.token.dropLast())", Self.push(email: email)) == 401, "a prefix of the token")
            #expect(try await status("?token=\(Self.token)", Data("not json".utf8)) == 400, "not a push")
            #expect(try await status("?token=\(Self.token)", Data("{\"message\":{\"data\":\"!!\"}}".utf8)) == 400, "bad data")
            #expect(try await harness.fingerprint() == before, "a refused push changed a tenant table")
            #expect(try await harness.scalar("select sync_requested_at is null from public.email_accounts where id = \(account)") == "t")

            // Another address: acknowledged (Pub/Sub must stop redelivering), nothing marked.
            #expect(try await status("?token=\(Self.token)", Self.push(email: "stranger@gmail.example")) == 204)
            #expect(try await harness.scalar("select sync_requested_at is null from public.email_accounts where id = \(account)") == "t")

            #expect(try await status("?token=\(Self.token)", Self.push(email: email.uppercased())) == 204)
            #expect(try await harness.scalar("select sync_requested_at is not null from public.email_accounts where id = \(account)") == "t")

            // A watch that lapsed: the push is acknowledged and marks nothing.
            try await admin.query(
                "update public.email_accounts set push_expires_at = now() - interval '1 minute', sync_requested_at = null where id = \(account)")
            #expect(try await status("?token=\(Self.token)", Self.push(email: email)) == 204)
            #expect(try await harness.scalar("select sync_requested_at is null from public.email_accounts where id = \(account)") == "t")
        }
    }

    @Test("without a configured token the route does not exist")
    func disabled() async throws {
        try await ServerHarness.with("gmail_push_off") { harness in
            let response = try await harness.send(
                "POST", "/webhooks/gmail?token=\(Self.token)", headers: ["Content-Type": "application/json"],
                body: Self.push(email: "alice@acme.example"))
            #expect(response.status == 404)
        }
    }
}
