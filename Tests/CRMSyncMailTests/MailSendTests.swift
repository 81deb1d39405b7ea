import CRMSyncDatabase
import CRMSyncMail
import CRMSyncTestSupport
import Foundation
import MailTransport
import Testing

/// Sending through the outbox over real SMTP into real mailboxes: replies thread, the message
/// lands in the recipient's INBOX and the sender's Sent once, and a retry after a crash or a
/// lost reply never sends twice.
@Suite("mail sending over SMTP")
struct MailSendTests {
    /// Waits for the capture server's LMTP delivery of `messageID` (or of `subject`) into `user`'s folder.
    static func deliveries(
        _ server: TestMailServer, user: String, messageID: String, folder: String = "INBOX", subject: String? = nil
    ) async throws -> Int {
        for _ in 0..<50 {
            let count = try server.messages(user: user, folder: folder)
                .filter { message in subject.map { message.subject == $0 } ?? (message.messageID == messageID) }.count
            if count > 0 { return count }
            try await Task.sleep(for: .milliseconds(100))
        }
        return 0
    }

    @Test("a reply threads, arrives in the recipient's INBOX and the sender's Sent, and is stored as outbound")
    func reply() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_reply") { database in
            let alice = try await MailHarness.connect(database, server: server)
            let (bob, _) = try await server.makeUser("bob")
            try server.save(
                TestMessages.simple(id: "question@test", subject: "Quote for 12 chairs", from: bob, to: alice.user), user: alice.user)
            _ = try await alice.sync()
            let queued = try await MailOutbox(database: alice.tenant).queue(
                OutgoingMail(to: [bob], text: "Here is the quote.\nBest, Alice", replyTo: "<question@test>"), from: alice.account,
                as: alice.owner)
            let outcomes = try await alice.sender.sendPending(account: alice.account, as: alice.owner)
            #expect(outcomes.map(\.result) == [.sent], "\(outcomes)")
            #expect(try await Self.deliveries(server, user: bob, messageID: queued.messageID) == 1)
            #expect(try server.messages(user: alice.user, folder: "Sent").filter { $0.messageID == queued.messageID }.count == 1)

            // Threading headers on what bob received.
            let fetched = try server.doveadm(["fetch", "-u", bob, "hdr", "mailbox", "INBOX", "header", "Message-ID", queued.messageID])
            #expect(fetched.contains("In-Reply-To: <question@test>"))
            #expect(fetched.contains("References: <question@test>"))
            #expect(fetched.contains("Subject: Re: Quote for 12 chairs"))

            // Sent mail is one outbound row, also after the Sent folder is synced.
            _ = try await alice.sync()
            let outbound = try await alice.rows().filter { $0.key == queued.messageID }
            #expect(outbound.count == 1)
            #expect(outbound.first?.direction == "outbound")
            // Nothing left to send.
            #expect(try await alice.sender.sendPending(account: alice.account, as: alice.owner).isEmpty)
        }
    }

    @Test("a send interrupted after the server took it is recognised in Sent and not sent again")
    func noDoubleSend() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_once") { database in
            let alice = try await MailHarness.connect(database, server: server)
            let (bob, _) = try await server.makeUser("bob")
            let queued = try await MailOutbox(database: alice.tenant).queue(
                OutgoingMail(to: [bob], subject: "once", text: "only once"), from: alice.account, as: alice.owner)
            // A worker claims it and dies after SMTP and the Sent copy, before recording: do
            // those steps by hand, leaving the row in `sending`.
            let store = EmailStore(database: alice.tenant)
            let claimed = try await store.claimOutbox(account: alice.account, limit: 5, staleSeconds: 300, as: alice.owner)
            let item = try #require(claimed.first)
            let smtp = SMTPClient(
                endpoint: server.smtp, credential: .password(username: alice.user, password: alice.password), logger: .init(label: "test"))
            try await smtp.send(from: alice.user, recipients: [bob], message: Array(item.rawMIME))
            let imap = try await alice.imap()
            _ = try await imap.append("Sent", message: Array(item.rawMIME), flags: ["\\Seen"], date: Date())
            await imap.logout()

            try await Task.sleep(for: .milliseconds(1_500))  // the dead attempt goes stale
            let outcomes = try await alice.sender.sendPending(account: alice.account, as: alice.owner)
            #expect(outcomes.map(\.result) == [.alreadySent])
            #expect(try await Self.deliveries(server, user: bob, messageID: queued.messageID) == 1)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try server.messages(user: bob).filter { $0.messageID == queued.messageID }.count == 1)
        }
    }

    @Test("a send that died before reaching the server is sent once on the retry")
    func retryAfterCrashBeforeSend() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_retry") { database in
            let alice = try await MailHarness.connect(database, server: server)
            let (bob, _) = try await server.makeUser("bob")
            let queued = try await MailOutbox(database: alice.tenant).queue(
                OutgoingMail(to: [bob], subject: "retry", text: "after a crash"), from: alice.account, as: alice.owner)
            _ = try await EmailStore(database: alice.tenant).claimOutbox(account: alice.account, limit: 5, staleSeconds: 300, as: alice.owner)
            try await Task.sleep(for: .milliseconds(1_500))  // the dead attempt goes stale
            let outcomes = try await alice.sender.sendPending(account: alice.account, as: alice.owner)
            #expect(outcomes.map(\.result) == [.sent])
            #expect(try await Self.deliveries(server, user: bob, messageID: queued.messageID) == 1)
            #expect(try server.messages(user: alice.user, folder: "Sent").filter { $0.messageID == queued.messageID }.count == 1)
        }
    }

    @Test("bad input is refused before anything is queued")
    func refusedInput() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_refused") { database in
            let alice = try await MailHarness.connect(database, server: server)
            let outbox = MailOutbox(database: alice.tenant)
            await #expect(throws: MailSyncError.self) {
                try await outbox.queue(OutgoingMail(to: [], subject: "x", text: "x"), from: alice.account, as: alice.owner)
            }
            await #expect(throws: MailSyncError.self) {
                try await outbox.queue(OutgoingMail(to: ["not an address"], subject: "x", text: "x"), from: alice.account, as: alice.owner)
            }
            await #expect(throws: MailSyncError.self) {
                try await outbox.queue(OutgoingMail(to: ["b@example.test"], text: "x", replyTo: "<nope@test>"), from: alice.account, as: alice.owner)
            }
            // Another user of the organization cannot send from Alice's account.
            await #expect(throws: (any Error).self) {
                try await outbox.queue(OutgoingMail(to: ["b@example.test"], subject: "x", text: "x"), from: alice.account, as: Demo.bobAtAcme)
            }
            let admin = try await database.adminConnection()
            let count = try await admin.query("select count(*)::int from public.email_outbox").first?.decode(Int.self, at: 0)
            #expect(count == 0)
        }
    }
}
