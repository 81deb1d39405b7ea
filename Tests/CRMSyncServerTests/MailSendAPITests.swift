import CRMSyncDatabase
import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// `POST /v1/mail/messages` and `GET /v1/mail/outbox/:id`: a send is queued once per
/// Idempotency-Key, whatever happens between the attempts (a repeat, a race, a restart).
@Suite("Mail API: idempotent send and the outbox")
struct MailSendAPITests {
    static func simple(subject: String = "Quote for Q3", to: [String] = ["carol@example.test"]) -> [String: Any] {
        ["account_id": Demo.aliceEmail.uuidString.lowercased(), "to": to, "subject": subject, "text": "Hello Carol"]
    }

    /// A send as `user` in `organization` with `key` (no header when nil).
    static func send(
        _ harness: ServerHarness, key: String?, as user: UUID, in organization: UUID = Demo.acme, json: Any
    ) async throws -> HTTPResponse {
        var headers = [
            "X-Organization-Id": organization.uuidString.lowercased(), "Authorization": "Bearer \(try await harness.token(for: user))",
            "Content-Type": "application/json",
        ]
        if let key { headers["Idempotency-Key"] = key }
        return try await harness.send("POST", "/v1/mail/messages", headers: headers, body: try JSONSerialization.data(withJSONObject: json))
    }

    static func outboxCount(_ harness: ServerHarness) async throws -> String? {
        try await harness.scalar("select count(*) from public.email_outbox")
    }

    @Test("a send is queued with the built message (attachment included) and followed at its status URL")
    func queues() async throws {
        try await ServerHarness.with("mail_send_queue") { harness in
            var body = Self.simple()
            body["cc"] = ["Dave <dave@example.test>"]
            body["html"] = "<p>Hello Carol</p>"
            body["attachments"] = [["filename": "quote.pdf", "content_type": "application/pdf", "content_base64": Data("%PDF-1.4".utf8).base64EncodedString()]]
            let response = try await Self.send(harness, key: "quote-1", as: Demo.alice, json: body)
            #expect(response.status == 202, "\(String(decoding: response.body, as: UTF8.self))")
            let queued = try AccountAPITests.json(response)
            let id = try #require(queued["id"] as? String)
            #expect(queued["status"] as? String == "queued" && queued["status_url"] as? String == "/v1/mail/outbox/\(id)")
            #expect(response.header("Idempotent-Replayed") == nil)
            let raw = try #require(try await harness.scalar("select convert_from(raw_mime, 'UTF8') from email_outbox where id = \(id)::uuid"))
            #expect(raw.contains("Subject: Quote for Q3") && raw.contains("quote.pdf") && raw.contains("Cc: Dave <dave@example.test>"))
            #expect(try await harness.scalar(
                "select concat_ws(' ', idempotency_key, created_by = \(Demo.alice), length(request_sha256)) from email_outbox where id = \(id)::uuid")
                == "quote-1 t 32")

            let status = try await harness.api("GET", "/v1/mail/outbox/\(id)", as: Demo.alice, in: Demo.acme)
            #expect(status.status == 200)
            let entry = try AccountAPITests.json(status)
            #expect(entry["status"] as? String == "queued" && entry["attempts"] as? Int == 0 && entry["last_error"] is NSNull)
            // A failure's reason shows once the worker recorded one.
            try await harness.scalar("update email_outbox set status = 'failed', attempts = 3, last_error = 'SMTP 550 mailbox unknown' where id = \(id)::uuid")
            let failed = try AccountAPITests.json(try await harness.api("GET", "/v1/mail/outbox/\(id)", as: Demo.alice, in: Demo.acme))
            #expect(failed["status"] as? String == "failed" && failed["last_error"] as? String == "SMTP 550 mailbox unknown")

            let metrics = String(decoding: try await harness.send("GET", "/metrics").body, as: UTF8.self)
            #expect(metrics.contains(#"crmsync_mail_sends_total{status="queued"} 1"#), "\(metrics)")
        }
    }

    @Test("the same key twice queues once (replayed); another request under the key is a 422; the key is per person")
    func sameKeyOnce() async throws {
        try await ServerHarness.with("mail_send_idempotent") { harness in
            let first = try await Self.send(harness, key: "k-1", as: Demo.alice, json: Self.simple())
            let second = try await Self.send(harness, key: "k-1", as: Demo.alice, json: Self.simple())
            #expect(first.status == 202 && second.status == 202)
            #expect(try AccountAPITests.json(first)["id"] as? String == (try AccountAPITests.json(second)["id"] as? String))
            #expect(second.header("Idempotent-Replayed") == "true")
            #expect(try await Self.outboxCount(harness) == "1")

            let before = try await harness.fingerprint()
            let other = try await Self.send(harness, key: "k-1", as: Demo.alice, json: Self.simple(subject: "Something else"))
            #expect(other.status == 422 && AccountAPITests.errorCode(other) == "idempotency_key_reused")
            #expect(try await harness.fingerprint() == before)

            // Bob's key of the same name is his own.
            let bobEmail = try #require(try await harness.scalar("select id::text from email_accounts where user_id = \(Demo.bob)"))
            var bobs = Self.simple()
            bobs["account_id"] = bobEmail
            let bob = try await Self.send(harness, key: "k-1", as: Demo.bob, json: bobs)
            #expect(bob.status == 202 && bob.header("Idempotent-Replayed") == nil)
            #expect(try await Self.outboxCount(harness) == "2")
        }
    }

    @Test("eight concurrent requests with one key: one outbox row, every answer names it")
    func concurrentSameKey() async throws {
        try await ServerHarness.with("mail_send_race") { harness in
            let ids = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await Self.send(harness, key: "race", as: Demo.alice, json: Self.simple())
                        return (response.status, (try? AccountAPITests.json(response))?["id"] as? String)
                    }
                }
                var results: [(Int, String?)] = []
                for try await result in group { results.append(result) }
                return results
            }
            #expect(ids.allSatisfy { $0.0 == 202 }, "\(ids)")
            #expect(Set(ids.compactMap(\.1)).count == 1, "\(ids)")
            #expect(try await Self.outboxCount(harness) == "1")
        }
    }

    @Test("after the server is stopped and another started on the same database, the key still answers the first entry")
    func acrossRestart() async throws {
        try await ServerHarness.with("mail_send_restart") { harness in
            let first = try await Self.send(harness, key: "restart-1", as: Demo.alice, json: Self.simple())
            #expect(first.status == 202)
            await harness.stopServer()
            #expect((try? await harness.send("GET", "/healthz")) == nil, "the first server is down")
            let restarted = try await harness.startAnotherServer()
            defer { restarted.serverTask.cancel() }
            let again = try await Self.send(restarted, key: "restart-1", as: Demo.alice, json: Self.simple())
            #expect(again.status == 202 && again.header("Idempotent-Replayed") == "true")
            #expect(try AccountAPITests.json(again)["id"] as? String == (try AccountAPITests.json(first)["id"] as? String))
            #expect(try await Self.outboxCount(harness) == "1")
            await restarted.stopServer()
        }
    }

    @Test("a missing or malformed key and malformed bodies are 400s that queue nothing")
    func refusesMalformed() async throws {
        try await ServerHarness.with("mail_send_malformed") { harness in
            let before = try await harness.fingerprint()
            let keys: [(String?, String)] = [
                (nil, "missing_idempotency_key"), ("", "invalid_idempotency_key"), ("has space", "invalid_idempotency_key"),
                (String(repeating: "k", count: 256), "invalid_idempotency_key"), ("caf\u{e9}", "invalid_idempotency_key"),
            ]
            for (key, code) in keys {
                let response = try await Self.send(harness, key: key, as: Demo.alice, json: Self.simple())
                #expect(response.status == 400 && AccountAPITests.errorCode(response) == code, "\(String(describing: key))")
            }
            var cases: [([String: Any], String)] = []
            func with(_ field: String, _ value: Any) -> [String: Any] {
                var body = Self.simple()
                body[field] = value
                return body
            }
            cases.append((with("to", ["not an address"]), "invalid_field"))
            cases.append((with("to", [String]()), "invalid_field"))
            cases.append((with("to", "carol@example.test"), "invalid_field"))
            cases.append((with("subject", "Hi\r\nBcc: evil@example.test"), "invalid_field"))
            cases.append((with("account_id", "nope"), "invalid_field"))
            cases.append((with("colour", "red"), "unknown_field"))
            cases.append((with("text", NSNull()), "invalid_value"))
            cases.append((with("reply_to", "x"), "invalid_field"))
            cases.append((with("attachments", [["filename": "a.txt", "content_type": "text/plain", "content_base64": "***"]]), "invalid_field"))
            cases.append((with("attachments", [["filename": "a.txt", "content_type": "text plain", "content_base64": "AA=="]]), "invalid_field"))
            cases.append((with("attachments", [["filename": "a.txt", "content_type": "text/plain", "content_base64": "AA==", "x": 1]]), "invalid_field"))
            var noBody = Self.simple()
            noBody["text"] = nil
            cases.append((noBody, "invalid_field"))
            for (index, (body, code)) in cases.enumerated() {
                let response = try await Self.send(harness, key: "bad-\(index)", as: Demo.alice, json: body)
                #expect(response.status == 400 && AccountAPITests.errorCode(response) == code, "case \(index): \(response.status)")
            }
            let huge = try await Self.send(
                harness, key: "huge", as: Demo.alice, json: with("text", String(repeating: "x", count: 200_000)))
            #expect(huge.status == 413)
            #expect(try await harness.fingerprint() == before)
        }
    }
}
