import CRMSyncDatabase
@testable import CRMSyncMail
import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import Testing

/// Sending through Gmail's `messages.send` and Graph's `sendMail`, exactly once.
@Suite("Gmail and Outlook sending", .serialized)
struct APIMailSendTests {
    /// The sandbox messages of `email` at `provider` with `subject`.
    static func copies(_ mail: APIMailHarness, provider: String, email: String, subject: String) async throws -> Int {
        let answer = try await mail.sandbox.control("GET", "\(provider)/users/\(email)/messages")
        let messages = (answer["messages"] as? [[String: Any]]) ?? (answer["value"] as? [[String: Any]]) ?? []
        return messages.filter { ($0["subject"] as? String) == subject || Self.rawText($0["raw"]).contains("Subject: \(subject)\r\n") }.count
    }

    /// A base64url raw message (Gmail's control listing) as text.
    static func rawText(_ value: Any?) -> String {
        guard var text = value as? String else { return "" }
        text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        return Data(base64Encoded: text).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    @Test("a reply goes out once, threaded, arrives in the other provider's mailbox, and is one row after the next sync",
          arguments: [APIMailProvider.gmail, .outlook])
    func replyArrives(_ provider: APIMailProvider) async throws {
        try await APIMailHarness.with("send_reply_\(provider.rawValue)", provider: provider) { mail in
            let other = provider == .gmail ? "microsoft" : "google"
            let recipient = "partner-\(provider.rawValue)@partner.example"
            try await mail.sandbox.control(
                "POST", "\(other)/users/\(recipient)/messages",
                ["mime": "From: x@y.example\r\nTo: \(recipient)\r\nSubject: Hello\r\nMessage-ID: <hello@y.example>\r\n\r\nhi\r\n"])
            let original = try await mail.deliver(subject: "Question", from: recipient, messageID: "question@partner.example")
            _ = try await mail.sync()
            let queued = try await MailOutbox(database: mail.tenant).queue(
                OutgoingMail(to: [recipient], bcc: ["audit@acme.example"], text: "Here is the answer.", replyTo: "question@partner.example"),
                from: mail.account, as: mail.owner)
            let outcomes = try await mail.sender.sendPending(account: mail.account, as: mail.owner)
            #expect(outcomes.map(\.result) == [.sent], "\(outcomes)")
            #expect(try await Self.copies(mail, provider: other, email: recipient, subject: "Re: Question") == 1)

            _ = try await mail.sync()
            let admin = try await mail.database.adminConnection()
            let rows = try await admin.query(
                """
                select provider_message_id, thread_id, direction, sent_at is not null from public.email_messages
                 where email_account_id = \(mail.account) and internet_message_id = \(queued.messageID)
                """
            ).rows
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(try row.decode(String.self, at: 0) != queued.messageID, "the provider's copy took the outbox's row over")
            #expect(try row.decode(String.self, at: 2) == "outbound")
            #expect(try row.decode(Bool.self, at: 3))
            let parentThread = try await mail.rows()[original]?.thread
            #expect(try row.decode(String?.self, at: 1) == parentThread)
        }
    }

    @Test("a send whose reply was lost is not sent again: the retry finds the Message-ID at the provider",
          arguments: [APIMailProvider.gmail, .outlook])
    func lostReplyNotResent(_ provider: APIMailProvider) async throws {
        try await APIMailHarness.with("send_once_\(provider.rawValue)", provider: provider) { mail in
            let recipient = mail.email  // to oneself: the copy that arrives is countable in the same mailbox
            let queued = try await MailOutbox(database: mail.tenant).queue(
                OutgoingMail(to: [recipient], subject: "Exactly once", text: "Only one of me."), from: mail.account, as: mail.owner)
            // The first attempt: claimed, handed to the provider, and then the worker dies before
            // recording anything (the reply was lost).
            let store = EmailStore(database: mail.tenant)
            let claimed = try await store.claimOutbox(account: mail.account, limit: 1, staleSeconds: 1, as: mail.owner)
            let item = try #require(claimed.first)
            #expect(item.id == queued.outboxID)
            let tokens = try await mail.api.tokens(account: mail.account, provider: provider, owner: mail.owner)
            switch provider {
            case .gmail: _ = try await mail.api.gmail(tokens).send(raw: item.rawMIME, threadId: nil)
            case .outlook: try await mail.api.graph(tokens).sendMIME(item.rawMIME)
            }
            try await Task.sleep(for: .milliseconds(1_200))
            let outcomes = try await mail.sender.sendPending(account: mail.account, as: mail.owner)
            #expect(outcomes.map(\.result) == [.alreadySent], "\(outcomes)")
            let controlName = provider == .gmail ? "google" : "microsoft"
            // Gmail: one SENT copy and one INBOX copy of one message id; Graph: one in Sent Items, one in Inbox.
            #expect(try await Self.copies(mail, provider: controlName, email: recipient, subject: "Exactly once") <= 2)
            let sends = try await mail.sandbox.requestCount(
                route: provider == .gmail ? "POST /gmail/v1/users/me/messages/send" : "POST /v1.0/me/sendMail")
            #expect(sends == 1)
            let status = try await (try await mail.database.adminConnection()).query(
                "select status from public.email_outbox where id = \(queued.outboxID)"
            ).first?.decode(String.self, at: 0)
            #expect(status == "sent")
        }
    }
}
