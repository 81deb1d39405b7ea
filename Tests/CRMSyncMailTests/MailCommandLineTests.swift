import CRMSyncDatabase
import CRMSyncMail
import CRMSyncTestSupport
import Foundation
import Logging
import MailTransport
import PostgresClient
import Testing

/// `crmsync mail …` as an operator runs it, and `crmsync worker` killed with SIGKILL in the
/// middle of an import and of a send: nothing duplicated, nothing lost, nothing sent twice.
@Suite("mail on the command line")
struct MailCommandLineTests {
    static func environment(_ base: [String: String?], _ server: TestMailServer) -> [String: String?] {
        var environment = base
        environment["CRMSYNC_MAIL_CA_FILE"] = server.caFile
        environment["CRMSYNC_LOG_LEVEL"] = "warning"
        return environment
    }

    static func connectArguments(_ server: TestMailServer, user: String) -> [String] {
        [
            "mail", "connect", "--provider", "imap", "--user", Demo.alice.uuidString, "--org", Demo.acme.uuidString,
            "--email", user, "--imap-host", "127.0.0.1", "--imap-port", "\(server.imapsPort)", "--imap-security", "tls",
            "--smtp-host", "127.0.0.1", "--smtp-port", "\(server.smtpPort)", "--smtp-security", "starttls",
        ]
    }

    static func count(_ database: TestDatabase, _ sql: SQL) async throws -> Int {
        let admin = try await database.adminConnection()
        return try await admin.query(sql).first?.decode(Int.self, at: 0) ?? -1
    }

    @Test("connect (password on stdin), sync and a threaded reply; a wrong password is one line on stderr")
    func connectSyncSend() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_cli") { database in
            let (user, password) = try await server.makeUser("cli")
            let (bob, _) = try await server.makeUser("bob")
            try await CommandLineRunner.withEnvironment(for: database) { base in
                let environment = Self.environment(base, server)
                let wrong = try await CommandLineRunner.run(
                    Self.connectArguments(server, user: user), environment: environment, input: "not-\(password)\n")
                #expect(wrong.status != 0)
                #expect(wrong.output.hasPrefix("crmsync: IMAP server 127.0.0.1: login refused"), "\(wrong.output)")
                #expect(wrong.output.split(separator: "\n").count == 1)
                #expect(!wrong.output.contains(password))

                let connected = try await CommandLineRunner.run(
                    Self.connectArguments(server, user: user), environment: environment, input: "\(password)\n")
                #expect(connected.status == 0, "\(connected.output)")
                #expect(!connected.output.contains(password))
                let account = try #require(connected.output.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })

                try server.save(TestMessages.simple(id: "ask-\(account)@test", subject: "Quote?", from: bob, to: user), user: user)
                let synced = try await CommandLineRunner.run(["mail", "sync", "--account", account], environment: environment)
                #expect(synced.status == 0, "\(synced.output)")
                #expect(synced.output.contains("mail sync success: imported 1"), "\(synced.output)")

                let sent = try await CommandLineRunner.run(
                    ["mail", "send", "--account", account, "--to", bob, "--reply-to", "ask-\(account)@test"], environment: environment,
                    input: "Here it is.\n")
                #expect(sent.status == 0, "\(sent.output)")
                #expect(sent.output.contains("> sent"), "\(sent.output)")
                let bobs = try await MailSendTests.deliveries(server, user: bob, messageID: "", folder: "INBOX", subject: "Re: Quote?")
                #expect(bobs == 1)
            }
        }
    }

    @Test("a worker killed with SIGKILL mid-import: the next sync completes it without a duplicate")
    func killedMidImport() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_kill_import") { database in
            let mailbox = try await MailHarness.connect(database, server: server)
            let total = 1_500
            let imap = try await mailbox.imap()
            for index in 0..<total {
                _ = try await imap.append("INBOX", message: TestMessages.simple(id: "k\(index)@test", subject: "k\(index)"), flags: [], date: nil)
            }
            await imap.logout()
            try await CommandLineRunner.withEnvironment(for: database) { base in
                let environment = Self.environment(base, server)
                let worker = try Self.startWorker(environment)
                var seen = 0
                for _ in 0..<1_500 {
                    seen = try await Self.count(database, "select count(*)::int from public.email_messages where email_account_id = \(mailbox.account)")
                    if seen > 0 { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                kill(worker.processIdentifier, SIGKILL)
                worker.waitUntilExit()
                #expect(seen > 0 && seen < total, "the kill should land mid-import (\(seen) of \(total) stored)")

                let resumed = try await CommandLineRunner.run(["mail", "sync", "--account", mailbox.account.uuidString], environment: environment)
                #expect(resumed.status == 0, "\(resumed.output)")
                #expect(try await Self.count(database, "select count(*)::int from public.email_messages where email_account_id = \(mailbox.account)") == total)
                #expect(
                    try await Self.count(
                        database,
                        "select count(distinct internet_message_id)::int from public.email_messages where email_account_id = \(mailbox.account)") == total)
                // The killed run's log row was closed by the next run, not left running.
                #expect(try await Self.count(database, "select count(*)::int from public.email_sync_log where status = 'running'") == 0)
            }
        }
    }

    @Test("a worker killed with SIGKILL mid-send: each message arrives exactly once after the retry")
    func killedMidSend() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_kill_send") { database in
            let mailbox = try await MailHarness.connect(database, server: server)
            _ = try await mailbox.sync()
            // A recipient the test SMTP server holds for 3 s before taking the message.
            let (slow, _) = try await server.makeUser("slow")
            let queued = try await MailOutbox(database: mailbox.tenant).queue(
                OutgoingMail(to: [slow], subject: "held", text: "sent once"), from: mailbox.account, as: mailbox.owner)
            try await CommandLineRunner.withEnvironment(for: database) { base in
                let environment = Self.environment(base, server)
                let worker = try Self.startWorker(environment)
                var sending = 0
                for _ in 0..<500 {
                    sending = try await Self.count(database, "select count(*)::int from public.email_outbox where status = 'sending'")
                    if sending > 0 { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                try await Task.sleep(for: .milliseconds(300))
                kill(worker.processIdentifier, SIGKILL)
                worker.waitUntilExit()
                #expect(sending == 1, "the kill should land mid-send")
                try await Task.sleep(for: .milliseconds(1_500))
                let retried = try await CommandLineRunner.run(
                    ["mail", "sync", "--account", mailbox.account.uuidString, "--resend-after", "1"], environment: environment)
                #expect(retried.status == 0, "\(retried.output)")
                #expect(try await MailSendTests.deliveries(server, user: slow, messageID: queued.messageID) == 1)
                // Once more: nothing is sent again.
                _ = try await CommandLineRunner.run(
                    ["mail", "sync", "--account", mailbox.account.uuidString, "--resend-after", "1"], environment: environment)
                try await Task.sleep(for: .milliseconds(500))
                #expect(try server.messages(user: slow).filter { $0.messageID == queued.messageID }.count == 1)
                #expect(try await Self.count(database, "select count(*)::int from public.email_outbox where status = 'sent'") == 1)
            }
        }
    }

    /// `crmsync worker` in the background, polling every second, mail only in effect (no calendar is due).
    static func startWorker(_ environment: [String: String?]) throws -> Process {
        let process = Process()
        process.executableURL = CommandLineRunner.executable
        process.arguments = ["worker", "--no-listen", "--no-push-renewal", "--poll-seconds", "1", "--concurrency", "2"]
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
