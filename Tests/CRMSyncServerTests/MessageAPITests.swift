import CRMSyncDatabase
import CRMSyncProviders
import CRMSyncSupport
import CRMSyncTestSupport
import Foundation
import Testing

/// `GET /v1/mail/messages` and `/v1/mail/messages/:message` as the mailbox owner uses them:
/// filters, keyset pages that neither repeat nor skip while mail arrives, search, one message
/// with its bodies and attachments, and malformed input answered 400, never 500.
@Suite("Mail message API: list, filters, pages, search, show, bad input")
struct MessageAPITests {
    static func ids(_ response: HTTPResponse) throws -> [String] {
        let messages = try #require(try AccountAPITests.json(response)["messages"] as? [[String: Any]])
        return messages.compactMap { $0["id"] as? String }
    }

    static func rowID(_ harness: ServerHarness, provider: String) async throws -> String {
        try #require(try await harness.scalar("select id::text from public.email_messages where provider_message_id = \(provider)"))
    }

    @Test("filters by account, folder, thread and participant; newest first")
    func filters() async throws {
        try await ServerHarness.with("msg_filters") { harness in
            let mail = try await MailFixture.mailbox(harness, owner: Demo.aliceAtAcme, label: "alice")
            let now = Date()
            let inThread = (1...3).map { MailFixture.message($0, received: now.addingTimeInterval(Double(-$0 * 60)), thread: "thread-a") }
            let withDave = MailFixture.message(4, received: now.addingTimeInterval(-240), cc: ["Dave <Dave@Initech.example>"])
            let archived = MailFixture.message(5, received: now.addingTimeInterval(-300))
            try await mail.store(inThread + [withDave])
            try await mail.store([archived], archive: true)
            let account = mail.account.uuidString.lowercased()
            func list(_ query: String) async throws -> [String] {
                let response = try await harness.api("GET", "/v1/mail/messages?" + query, as: Demo.alice, in: Demo.acme)
                #expect(response.status == 200, "\(query): \(String(decoding: response.body, as: UTF8.self))")
                return try Self.ids(response)
            }
            var expected: [String] = []
            for message in inThread + [withDave, archived] { expected.append(try await Self.rowID(harness, provider: message.providerMessageID)) }
            #expect(try await list("account=\(account)") == expected)
            #expect(try await list("account=\(account)&thread=thread-a") == Array(expected[0..<3]))
            #expect(try await list("account=\(account)&participant=DAVE@initech.example") == [expected[3]])
            #expect(try await list("participant=%3Cdave%40initech.example%3E&account=\(account)") == [expected[3]])
            #expect(try await list("account=\(account)&folder=Archive") == [expected[4]])
            #expect(try await list("account=\(account)&folder=INBOX") == Array(expected[0..<4]))
            #expect(try await list("account=\(account)&folder=Nowhere").isEmpty)

            let summary = try #require(try AccountAPITests.json(try await harness.api(
                "GET", "/v1/mail/messages?account=\(account)&limit=1", as: Demo.alice, in: Demo.acme))["messages"] as? [[String: Any]]).first
            #expect(summary?["subject"] as? String == "Quarterly zebra plan 1")
            #expect(summary?["snippet"] as? String == "Snippet kumquat 1")
            #expect(summary?["access"] as? String == "owner")
            #expect(summary?["account_id"] as? String == account)
            #expect(summary?["has_attachments"] as? Bool == true)
            #expect(summary?["body_text"] == nil, "a listing carries no bodies")

            // Another organization's mailbox is a 404, not an empty list.
            let foreign = try await harness.api("GET", "/v1/mail/messages?account=\(Demo.ginaEmail.uuidString)", as: Demo.alice, in: Demo.acme)
            #expect(foreign.status == 404)
            let unknown = try await harness.api("GET", "/v1/mail/messages?account=\(UUID().uuidString)", as: Demo.alice, in: Demo.acme)
            #expect(unknown.status == 404)
        }
    }

    @Test("pages neither repeat nor skip a message while new mail arrives between them")
    func pagesWhileMailArrives() async throws {
        try await ServerHarness.with("msg_pages") { harness in
            let mail = try await MailFixture.mailbox(harness, owner: Demo.aliceAtAcme, label: "alice")
            let start = Date().addingTimeInterval(-3600)
            // Two share one instant: the id breaks the tie.
            var batch = (1...25).map { MailFixture.message($0, received: start.addingTimeInterval(Double($0 * 10))) }
            batch[24].receivedAt = batch[23].receivedAt
            try await mail.store(batch)
            var original: Set<String> = []
            for message in batch { original.insert(try await Self.rowID(harness, provider: message.providerMessageID)) }

            var seen: [String] = []
            var cursor: String?
            var page = 0
            repeat {
                var path = "/v1/mail/messages?account=\(mail.account.uuidString)&limit=7"
                if let cursor { path += "&cursor=\(cursor)" }
                let response = try await harness.api("GET", path, as: Demo.alice, in: Demo.acme)
                #expect(response.status == 200)
                let body = try AccountAPITests.json(response)
                seen += try Self.ids(response)
                cursor = body["next_cursor"] as? String
                page += 1
                // Mail arrives after each page: newer than everything, and one inside the range already read.
                try await mail.store([
                    MailFixture.message(100 + page, received: Date()),
                    MailFixture.message(200 + page, received: start.addingTimeInterval(Double(250 - page * 70))),
                ])
            } while cursor != nil && page < 20
            #expect(cursor == nil, "the listing ends")
            #expect(Set(seen).count == seen.count, "no message twice")
            #expect(original.isSubset(of: Set(seen)), "every message present before the listing began is listed")
            #expect(try AccountAPITests.json(try await harness.api(
                "GET", "/v1/mail/messages?account=\(mail.account.uuidString)&limit=200", as: Demo.alice, in: Demo.acme))["next_cursor"] is NSNull)
        }
    }

    @Test("search finds subjects and bodies for the owner; show gives bodies and attachments")
    func searchAndShow() async throws {
        try await ServerHarness.with("msg_search") { harness in
            let mail = try await MailFixture.mailbox(harness, owner: Demo.aliceAtAcme, label: "alice")
            let plain = MailFixture.message(1, received: Date().addingTimeInterval(-60), subjectWord: "walrus", bodyWord: "persimmon")
            let other = MailFixture.message(2, received: Date(), subjectWord: "otter", bodyWord: "quince", attachment: false)
            try await mail.store([plain, other])
            let id = try await Self.rowID(harness, provider: plain.providerMessageID)
            for (query, expected) in [("walrus", [id]), ("persimmon", [id]), ("walrus%20OR%20otter", nil), ("nothinglikethis", [])] {
                let response = try await harness.api(
                    "GET", "/v1/mail/messages?q=\(query)&account=\(mail.account.uuidString)", as: Demo.alice, in: Demo.acme)
                #expect(response.status == 200, "\(query)")
                if let expected { #expect(try Self.ids(response) == expected, "\(query)") } else { #expect(try Self.ids(response).count == 2) }
            }

            let shown = try await harness.api("GET", "/v1/mail/messages/\(id)", as: Demo.alice, in: Demo.acme)
            #expect(shown.status == 200)
            let body = try AccountAPITests.json(shown)
            #expect(body["subject"] as? String == "Quarterly walrus plan 1")
            #expect(body["body_text"] as? String == "The persimmon body of message 1.")
            #expect((body["body_html"] as? String)?.contains("persimmon") == true)
            #expect(body["internet_message_id"] as? String == plain.internetMessageID)
            let attachments = try #require(body["attachments"] as? [[String: Any]])
            #expect(attachments.count == 1)
            #expect(attachments.first?["filename"] as? String == "persimmon-1.pdf")
            let attachmentID = try #require(attachments.first?["id"] as? String)
            #expect(attachments.first?["content_url"] as? String == "/v1/mail/messages/\(id)/attachments/\(attachmentID)")
            #expect(try await harness.api("GET", "/v1/mail/messages/\(UUID().uuidString)", as: Demo.alice, in: Demo.acme).status == 404)
        }
    }

    @Test("malformed parameters are a 400 with an error code, never a 500")
    func malformedInput() async throws {
        try await ServerHarness.with("msg_bad_input") { harness in
            let mail = try await MailFixture.mailbox(harness, owner: Demo.aliceAtAcme, label: "alice")
            try await mail.store([MailFixture.message(1, received: Date())])
            let account = mail.account.uuidString
            let id = try await harness.scalar("select id::text from public.email_messages where email_account_id = \(mail.account)") ?? ""
            let badTimestamp = Base64URL.encode(Array("2026-13-45T99:99:99.000000Z|\(UUID().uuidString)".utf8))
            let paths = [
                "?limit=0", "?limit=201", "?limit=ten", "?limit=-1", "?limit=99999999999999999999",
                "?cursor=not-base64!", "?cursor=" + Base64URL.encode(Array("x|y".utf8)), "?cursor=\(badTimestamp)",
                "?cursor=" + String(repeating: "A", count: 400), "?account=not-a-uuid", "?account=", "?folder=INBOX",
                "?account=\(account)&folder=", "?account=\(account)&folder=a%00b", "?thread=%00", "?participant=", "?participant=a%20b",
                "?q=", "?q=%20%20", "?q=a%00b", "?q=zebra&thread=", "?q=" + String(repeating: "x", count: 1001),
            ].map { "/v1/mail/messages" + $0 } + [
                "/v1/mail/messages/not-a-uuid", "/v1/mail/messages/\(id)/attachments/not-a-uuid",
                "/v1/mail/messages/not-a-uuid/attachments/\(UUID().uuidString)",
            ]
            for path in paths {
                let response = try await harness.api("GET", path, as: Demo.alice, in: Demo.acme)
                #expect(response.status == 400, "\(path): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
                #expect(AccountAPITests.errorCode(response) != nil, "\(path)")
            }
            // Odd search syntax finds something or says 400 (no words to search for), never 500.
            for query in ["%22unclosed", "-", "or%20or", "a%26b%7Cc", "%21%21%21", "zebra%20-", "%3A%2A"] {
                let response = try await harness.api("GET", "/v1/mail/messages?q=\(query)", as: Demo.alice, in: Demo.acme)
                #expect(response.status == 200 || (response.status == 400 && AccountAPITests.errorCode(response) != nil), "q=\(query): \(response.status)")
            }
            #expect(try await harness.api("GET", "/v1/mail/messages?q=%22unclosed", as: Demo.alice, in: Demo.acme).status == 200)
            // search narrows like the listing's filters
            #expect(try await harness.api("GET", "/v1/mail/messages?q=zebra&thread=t&participant=x@example.test", as: Demo.alice, in: Demo.acme).status == 200)
        }
    }
}
