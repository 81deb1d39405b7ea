import CRMSyncDatabase
import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import Testing

/// What a colleague reads of Alice's mailbox at each sharing level, through every message
/// route (list, search, show, attachment download), and what everyone else gets: people of
/// another organization, a forged organization header, no or a bad token. The marker words
/// "zebra" (subject only) and "kumquat" (snippet, bodies and the attachment's name) must not
/// appear in any answer below their level.
@Suite("Mail message API: sharing levels and intruders")
struct MessageSharingTests {
    struct Setup {
        var mail: MailFixture
        var message: String
        var attachment: String
    }

    static func setUp(_ harness: ServerHarness) async throws -> Setup {
        let mail = try await MailFixture.mailbox(harness, owner: Demo.aliceAtAcme, label: "alice")
        let message = MailFixture.message(1, received: Date())
        try await mail.store([message])
        let id = try #require(try await harness.scalar(
            "select id::text from public.email_messages where provider_message_id = \(message.providerMessageID)"))
        let attachment = try #require(try await harness.scalar(
            "select id::text from public.email_attachments where email_message_id = \(id)::uuid"))
        return Setup(mail: mail, message: id, attachment: attachment)
    }

    static func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test("each level shows a colleague exactly its tier, from every route", arguments: ["private", "metadata", "subject", "full"])
    func levels(_ level: String) async throws {
        try await ServerHarness.with("msg_level_\(level)") { harness in
            let setup = try await Self.setUp(harness)
            try await setup.mail.setSharing(level, harness)
            let account = setup.mail.account.uuidString.lowercased()
            func bob(_ path: String) async throws -> HTTPResponse {
                try await harness.api("GET", path, as: Demo.bob, in: Demo.acme)
            }
            let everything = try await bob("/v1/mail/messages?limit=200")
            let filtered = try await bob("/v1/mail/messages?account=\(account)")
            let shown = try await bob("/v1/mail/messages/\(setup.message)")
            let download = try await bob("/v1/mail/messages/\(setup.message)/attachments/\(setup.attachment)")
            let searches = [
                "zebra": try await bob("/v1/mail/messages?q=zebra&account=\(account)"),
                "kumquat": try await bob("/v1/mail/messages?q=kumquat&account=\(account)"),
                "participant": try await bob("/v1/mail/messages?q=carol%40initech.example&account=\(account)"),
            ]
            #expect(everything.status == 200)
            let all = [everything, filtered, shown, download] + Array(searches.values)
            let rank = ["private": 0, "metadata": 1, "subject": 2, "full": 3][level]!
            if rank < 2 {
                for response in all { #expect(!Self.text(response).contains("zebra"), "\(level): a subject leaked: \(Self.text(response))") }
            }
            if rank < 3 {
                for response in all { #expect(!Self.text(response).contains("kumquat"), "\(level): a body leaked: \(Self.text(response))") }
                #expect(download.status == 404, "\(level): the attachment is refused as absent")
            } else {
                // Past the session's check: the download goes to the (absent) IMAP server.
                #expect(download.status == 502, "\(level): \(download.status) \(Self.text(download))")
            }
            if rank == 0 {
                #expect(try !MessageAPITests.ids(everything).contains(setup.message))
                for response in [filtered, shown] + Array(searches.values) { #expect(response.status == 404, "private: \(Self.text(response))") }
                return
            }
            #expect(try MessageAPITests.ids(everything).contains(setup.message))
            #expect(try MessageAPITests.ids(filtered) == [setup.message])
            let summary = try #require((try AccountAPITests.json(filtered)["messages"] as? [[String: Any]])?.first)
            let detail = try AccountAPITests.json(shown)
            #expect(shown.status == 200)
            #expect(summary["access"] as? String == level)
            #expect(summary["is_read"] is NSNull, "read state is the owner's")
            #expect(summary["from"] as? String == "Carol Customer <carol@initech.example>")
            #expect((summary["subject"] as? String != nil) == (rank >= 2))
            #expect((detail["subject"] as? String != nil) == (rank >= 2))
            #expect((summary["snippet"] as? String != nil) == (rank >= 3))
            #expect((detail["body_text"] != nil) == (rank >= 3))
            #expect((detail["body_html"] != nil) == (rank >= 3))
            #expect((detail["attachments"] as? [Any])?.count == (rank >= 3 ? 1 : 0))
            #expect(try MessageAPITests.ids(searches["zebra"]!) == (rank >= 2 ? [setup.message] : []), "\(level): subject search")
            #expect(try MessageAPITests.ids(searches["kumquat"]!) == (rank >= 3 ? [setup.message] : []), "\(level): body search")
            #expect(try MessageAPITests.ids(searches["participant"]!) == [setup.message], "\(level): participant search")
        }
    }

    @Test("other organizations, a forged organization header and bad tokens get 404/401 and nothing")
    func intruders() async throws {
        try await ServerHarness.with("msg_intruders") { harness in
            let setup = try await Self.setUp(harness)
            try await setup.mail.setSharing("full", harness)
            let account = setup.mail.account.uuidString.lowercased()
            let objects = [
                "/v1/mail/messages?account=\(account)", "/v1/mail/messages?account=\(account)&q=zebra",
                "/v1/mail/messages/\(setup.message)", "/v1/mail/messages/\(setup.message)/attachments/\(setup.attachment)",
            ]
            let before = try await harness.fingerprint()
            for intruder in APITenancyTests.intruders where intruder.user != Demo.bob {
                for path in objects {
                    let response = try await harness.api("GET", path, as: intruder.user, in: intruder.organization)
                    #expect(response.status == 404, "\(intruder): \(path)")
                    #expect(AccountAPITests.errorCode(response) == "not_found", "\(intruder): \(path)")
                    #expect(!Self.text(response).contains("zebra") && !Self.text(response).contains("kumquat"))
                }
                for path in ["/v1/mail/messages?limit=200", "/v1/mail/messages?q=zebra", "/v1/mail/messages?participant=carol@initech.example"] {
                    let response = try await harness.api("GET", path, as: intruder.user, in: intruder.organization)
                    #expect(response.status == 200, "\(intruder): \(path)")
                    #expect(try !MessageAPITests.ids(response).contains(setup.message), "\(intruder): \(path)")
                }
            }
            let forged = try await harness.token(for: Demo.alice, secret: "not-the-server-secret-0123456789abcdef")
            let expired = try await harness.token(for: Demo.alice, expiresIn: -600)
            for path in objects + ["/v1/mail/messages"] {
                let none = try await harness.send("GET", path, headers: ["X-Organization-Id": Demo.acme.uuidString])
                #expect(none.status == 401, "no token: \(path)")
                for token in [forged, expired, "garbage"] {
                    let response = try await harness.api("GET", path, as: Demo.alice, in: Demo.acme, token: token)
                    #expect(response.status == 401, "bad token: \(path)")
                    #expect(!Self.text(response).contains("zebra"))
                }
            }
            #expect(try await harness.fingerprint() == before)
            // The owner reaches all of it (so the refusals above are about who asks).
            #expect(try await harness.api("GET", objects[2], as: Demo.alice, in: Demo.acme).status == 200)
        }
    }
}
