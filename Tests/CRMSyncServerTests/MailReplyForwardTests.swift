import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import Testing

/// Replies and forwards through `POST /v1/mail/messages`: a reply threads under the message
/// (In-Reply-To, References, "Re: "), a forward quotes it; either may name a colleague's message
/// only as far as its mailbox is shared, and shows no more of it than the sharing level does.
@Suite("Mail API: replies and forwards, within the sharing levels")
struct MailReplyForwardTests {
    /// Alice's inbound demo message "Proposal attached".
    static let proposal = UUID(uuidString: "10000000-0000-4000-8000-0000000f0001")!

    static func raw(_ harness: ServerHarness, _ response: HTTPResponse) async throws -> String {
        let id = try #require(try AccountAPITests.json(response)["id"] as? String)
        return try #require(try await harness.scalar("select convert_from(raw_mime, 'UTF8') from email_outbox where id = \(id)::uuid"))
    }

    @Test("a reply threads under its parent and takes its subject")
    func replies() async throws {
        try await ServerHarness.with("mail_reply") { harness in
            var body = MailSendAPITests.simple()
            body["subject"] = nil
            body["reply_to"] = Self.proposal.uuidString.lowercased()
            let response = try await MailSendAPITests.send(harness, key: "reply-1", as: Demo.alice, json: body)
            #expect(response.status == 202, "\(String(decoding: response.body, as: UTF8.self))")
            let raw = try await Self.raw(harness, response)
            #expect(raw.contains("In-Reply-To: <demo-10000000-1@mail.example>"), "\(raw)")
            #expect(raw.contains("References: <demo-10000000-1@mail.example>"), "\(raw)")
            #expect(raw.contains("Subject: Re: Proposal attached"), "\(raw)")
            #expect(try await harness.scalar("select in_reply_to from email_outbox where idempotency_key = 'reply-1'") != nil)

            var unknown = MailSendAPITests.simple()
            unknown["reply_to"] = UUID().uuidString
            #expect(try await MailSendAPITests.send(harness, key: "reply-2", as: Demo.alice, json: unknown).status == 404)
        }
    }

    @Test("a forward quotes the original and says Fwd:")
    func forwards() async throws {
        try await ServerHarness.with("mail_forward") { harness in
            var body = MailSendAPITests.simple()
            body["subject"] = nil
            body["text"] = "See below."
            body["forward_of"] = Self.proposal.uuidString.lowercased()
            let response = try await MailSendAPITests.send(harness, key: "fwd-1", as: Demo.alice, json: body)
            #expect(response.status == 202)
            let raw = try await Self.raw(harness, response)
            #expect(raw.contains("Subject: Fwd: Proposal attached"), "\(raw)")
            #expect(raw.contains("---------- Forwarded message ---------") && raw.contains("Please find our signed proposal attached."), "\(raw)")
            #expect(!raw.contains("In-Reply-To"))
        }
    }

    @Test("a colleague's message: 404 while private; at subject level a reply threads but a forward carries no body; at full it does")
    func sharingLevels() async throws {
        try await ServerHarness.with("mail_reply_shared") { harness in
            let bobEmail = try #require(try await harness.scalar("select id::text from email_accounts where user_id = \(Demo.bob)"))
            func bobs(_ field: String, key: String) async throws -> HTTPResponse {
                var body = MailSendAPITests.simple()
                body["account_id"] = bobEmail
                body["subject"] = nil
                body[field] = Self.proposal.uuidString.lowercased()
                return try await MailSendAPITests.send(harness, key: key, as: Demo.bob, json: body)
            }
            let before = try await harness.fingerprint()
            #expect(try await bobs("reply_to", key: "private-reply").status == 404)
            #expect(try await bobs("forward_of", key: "private-forward").status == 404)
            #expect(try await harness.fingerprint() == before)

            let share = try await harness.api(
                "PATCH", MailAccountAPITests.alicePath, as: Demo.alice, in: Demo.acme, json: ["sharing_level": "subject"])
            #expect(share.status == 200)
            let reply = try await bobs("reply_to", key: "subject-reply")
            #expect(reply.status == 202)
            #expect(try await Self.raw(harness, reply).contains("Subject: Re: Proposal attached"))
            let forward = try await bobs("forward_of", key: "subject-forward")
            #expect(forward.status == 202)
            let hidden = try await Self.raw(harness, forward)
            #expect(hidden.contains("Fwd: Proposal attached") && !hidden.contains("signed proposal"), "\(hidden)")

            _ = try await harness.api("PATCH", MailAccountAPITests.alicePath, as: Demo.alice, in: Demo.acme, json: ["sharing_level": "full"])
            let full = try await bobs("forward_of", key: "full-forward")
            #expect(full.status == 202)
            #expect(try await Self.raw(harness, full).contains("Please find our signed proposal attached."))
        }
    }
}
