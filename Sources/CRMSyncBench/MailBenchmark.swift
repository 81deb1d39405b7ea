import CRMSyncDatabase
import CRMSyncMail
import Foundation
import Logging
import MailTransport
import PostgresClient

/// The mail figures, measured side by side in one run: a full import of a large mailbox from the
/// loopback Dovecot (messages per second; time in IMAP, MIME and SQL), the no-change sync of a
/// large and a small mailbox (IMAP round trips and time ratio), and the import SQL against COPY
/// of the same rows into tables of the same shape.
struct MailBenchmark {
    let settings: DatabaseSettings
    let key: SecretKey
    let messages: Int
    let server: MailBenchServer
    let say: @Sendable (String) -> Void

    struct Figures: Codable {
        var full_import_messages_per_second = 0.0
        var imap_share = 0.0
        var mime_share = 0.0
        var sql_share = 0.0
        var nochange_round_trips_large = 0
        var nochange_round_trips_small = 0
        var nochange_size_ratio = 0.0
        var import_vs_copy_ratio = 0.0
        var detail: [String: Double] = [:]
    }

    func run() async throws -> Figures {
        try await Benchmark.withFixture(self.settings) { fixture, admin in
            let pool = PostgresPool(configuration: self.settings.app, maxConnections: 3)
            defer { Task { await pool.close() } }
            let tenant = TenantDatabase(pool: pool, secretKey: self.key)
            var figures = Figures()
            try await self.measureSync(fixture, tenant: tenant, admin: admin, into: &figures)
            try await self.measureSQL(fixture, tenant: tenant, admin: admin, into: &figures)
            return figures
        }
    }

    private var quiet: Logger { Logger(label: "crmsync.bench") { _ in SwiftLogNoOpLogHandler() } }

    /// A new mailbox holding `count` small messages, connected for a new person of the fixture.
    private func mailbox(count: Int, fixture: BenchmarkFixture, tenant: TenantDatabase, admin: PostgresConnection) async throws -> (UUID, Identity) {
        let (user, password) = try await self.server.makeUser("bench\(count)")
        let imap = try await IMAPClient.connect(
            to: self.server.imaps, credential: .password(username: user, password: password), logger: self.quiet)
        for index in 0..<count {
            let raw = Array(
                ("From: Sender \(index % 50) <s\(index % 50)@example.test>\r\nTo: \(user)\r\nSubject: Bench message \(index)\r\n"
                    + "Message-ID: <bench-\(index)-\(UUID().uuidString)@example.test>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
                    + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    + String(repeating: "Bench body line \(index).\r\n", count: 20)).utf8)
            _ = try await imap.append("INBOX", message: raw, flags: index % 3 == 0 ? ["\\Seen"] : [], date: nil)
        }
        await imap.logout()
        let owner = try await fixture.person(on: admin)
        let id = try await MailAccountConnector(database: tenant, logger: self.quiet).connect(
            MailConnectRequest(
                provider: .imap, email: user, imap: self.server.imaps, imapUsername: user, smtp: self.server.smtp, smtpUsername: user,
                password: password),
            as: owner)
        return (id, owner)
    }

    private func measureSync(_ fixture: BenchmarkFixture, tenant: TenantDatabase, admin: PostgresConnection, into figures: inout Figures) async throws {
        let engine = MailSyncEngine(database: tenant, trust: MailTrust(caCertificateFile: self.server.caFile), logger: self.quiet)
        self.say("filling a mailbox with \(self.messages) messages and one with 100 (IMAP APPEND)…")
        let big = try await self.mailbox(count: self.messages, fixture: fixture, tenant: tenant, admin: admin)
        let small = try await self.mailbox(count: 100, fixture: fixture, tenant: tenant, admin: admin)

        self.say("full import of \(self.messages) messages from Dovecot…")
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await engine.sync(account: big.0, as: big.1, options: MailSyncOptions(batchSize: 100))
        let seconds = (clock.now - start) / .seconds(1)
        guard report.status == .success, report.imported == self.messages else {
            throw BenchmarkError("the full import brought \(report.imported) of \(self.messages) messages: \(report.errors.map(\.message))")
        }
        figures.full_import_messages_per_second = Double(self.messages) / seconds
        figures.imap_share = report.timing.imap / .seconds(seconds)
        figures.mime_share = report.timing.mime / .seconds(seconds)
        figures.sql_share = report.timing.sql / .seconds(seconds)
        figures.detail["full_import_seconds"] = seconds
        _ = try await engine.sync(account: small.0, as: small.1)

        self.say("no-change syncs (\(self.messages) and 100 messages, median of 7 each)…")
        var times: [UUID: [Double]] = [:]
        for round in 0..<7 {
            for account in [big, small] {
                let begin = clock.now
                let run = try await engine.sync(account: account.0, as: account.1)
                times[account.0, default: []].append((clock.now - begin) / .seconds(1))
                guard run.status == .success, run.imported + run.updated + run.deleted == 0 else {
                    throw BenchmarkError("a no-change sync changed something: \(run.imported)/\(run.updated)/\(run.deleted) \(run.errors.map(\.message))")
                }
                if round == 0 {
                    if account.0 == big.0 { figures.nochange_round_trips_large = run.roundTrips } else { figures.nochange_round_trips_small = run.roundTrips }
                }
            }
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        figures.nochange_size_ratio = median(times[big.0] ?? [1]) / median(times[small.0] ?? [1])
        figures.detail["nochange_seconds_large"] = median(times[big.0] ?? [0])
        figures.detail["nochange_seconds_small"] = median(times[small.0] ?? [0])
    }

    /// `import_email_messages` batch by batch against COPY of the same messages and locations
    /// into tables made `like` the real ones (keys, indexes, defaults, checks; no RLS or triggers).
    private func measureSQL(_ fixture: BenchmarkFixture, tenant: TenantDatabase, admin: PostgresConnection, into figures: inout Figures) async throws {
        self.say("import SQL vs COPY of the same \(self.messages) rows…")
        let owner = try await fixture.person(on: admin)
        let account = try await admin.query(
            """
            insert into public.email_accounts (organization_id, user_id, provider, email)
            values (\(fixture.organization), \(owner.userID), 'gmail', \("sql-\(UUID().uuidString.prefix(8))@bench.example")) returning id
            """
        ).first?.decode(UUID.self, at: 0)
        guard let account else { throw BenchmarkError("could not create the SQL bench account") }
        let store = EmailStore(database: tenant)
        let folder = try await store.ensureFolder(account: account, name: "INBOX", role: .inbox, as: owner)
        let batch = 100
        let rows = (0..<self.messages).map(Self.syntheticMessage)
        let clock = ContinuousClock()
        var start = clock.now
        for first in stride(from: 0, to: rows.count, by: batch) {
            let slice = Array(rows[first..<min(first + batch, rows.count)])
            _ = try await store.importMessages(
                account: account, folder: folder, slice,
                cursor: EmailFolderCursor(uidValidity: 1, lastUID: slice.last!.uid), as: owner)
        }
        let importSeconds = (clock.now - start) / .seconds(1)

        try await admin.execute(
            """
            create table \(Benchmark.schema).email_messages (like public.email_messages including all);
            create table \(Benchmark.schema).email_message_locations (like public.email_message_locations including all);
            create table \(Benchmark.schema).email_message_subjects (like public.email_message_subjects including all);
            create table \(Benchmark.schema).email_message_bodies (like public.email_message_bodies including all);
            -- COPY computes the search vectors as the import does (generated columns here)
            alter table \(Benchmark.schema).email_message_subjects drop column search,
              add column search tsvector generated always as (to_tsvector('simple', coalesce(subject, ''))) stored;
            alter table \(Benchmark.schema).email_message_bodies drop column search,
              add column search tsvector generated always as (to_tsvector('simple', coalesce(body_text, ''))) stored;
            """)
        let org = fixture.organization.uuidString.lowercased()
        let accountText = account.uuidString.lowercased()
        let folderText = folder.uuidString.lowercased()
        start = clock.now
        for first in stride(from: 0, to: rows.count, by: batch) {
            var messages: [String] = []
            var subjects: [String] = []
            var bodies: [String] = []
            var locations: [String] = []
            for row in rows[first..<min(first + batch, rows.count)] {
                let id = UUID().uuidString.lowercased()
                let body = (row.bodyText ?? "").replacingOccurrences(of: "\n", with: "\\n")
                messages.append(
                    "\(id)\t\(org)\t\(accountText)\t\(row.providerMessageID)\t\(row.internetMessageID ?? "")\t\(row.fromAddress ?? "")\t{x@example.test}\t"
                        + "2026-12-01 10:00:00+00\t\(row.flags.isEmpty ? "f" : "t")\t\(row.sizeBytes ?? 0)\n")
                subjects.append("\(org)\t\(accountText)\t\(id)\t\(row.subject ?? "")\n")
                bodies.append("\(org)\t\(accountText)\t\(id)\t\(row.snippet ?? "")\t\(body)\n")
                locations.append("\(org)\t\(accountText)\t\(id)\t\(folderText)\t\(row.uid ?? 0)\t{\(row.flags.map { "\"\($0.replacingOccurrences(of: "\\", with: "\\\\\\\\"))\"" }.joined(separator: ","))}\n")
            }
            _ = try await admin.copyIn(
                "copy \(Benchmark.schema).email_messages (id, organization_id, email_account_id, provider_message_id, internet_message_id, from_address, to_addresses, received_at, is_read, size_bytes) from stdin",
                lines: messages)
            _ = try await admin.copyIn(
                "copy \(Benchmark.schema).email_message_subjects (organization_id, email_account_id, email_message_id, subject) from stdin",
                lines: subjects)
            _ = try await admin.copyIn(
                "copy \(Benchmark.schema).email_message_bodies (organization_id, email_account_id, email_message_id, snippet, body_text) from stdin",
                lines: bodies)
            _ = try await admin.copyIn(
                "copy \(Benchmark.schema).email_message_locations (organization_id, email_account_id, email_message_id, folder_id, uid, flags) from stdin",
                lines: locations)
        }
        let copySeconds = (clock.now - start) / .seconds(1)
        figures.import_vs_copy_ratio = copySeconds / importSeconds
        figures.detail["sql_import_messages_per_second"] = Double(self.messages) / importSeconds
        figures.detail["copy_messages_per_second"] = Double(self.messages) / copySeconds
    }
}

extension MailBenchmark {
    /// Message `index` of the SQL comparison: a small text message, every third one read.
    static func syntheticMessage(_ index: Int) -> EmailImportMessage {
        let body = String(repeating: "Bench body line \(index).\n", count: 20)
        let received = Date(timeIntervalSince1970: 1_790_000_000 + Double(index))
        let flags: [String] = index % 3 == 0 ? ["\\Seen"] : []
        return EmailImportMessage(
            providerMessageID: "sql-\(index)@bench.example", internetMessageID: "sql-\(index)@bench.example",
            fromAddress: "Sender <s\(index % 50)@example.test>", toAddresses: ["x@example.test"],
            subject: "Bench message \(index)", snippet: "Bench body line \(index).", bodyText: body, receivedAt: received,
            sizeBytes: 600, uid: Int64(index + 1), flags: flags)
    }
}

/// The loopback mail servers (scripts/mail-servers.sh), from the environment it prints.
struct MailBenchServer: Sendable {
    var imapsPort: Int
    var smtpPort: Int
    var caFile: String
    var passwdFile: String

    static func fromEnvironment(_ environment: [String: String]) throws -> MailBenchServer {
        guard let imaps = environment["CRMSYNC_TEST_IMAPS_PORT"].flatMap(Int.init), let smtp = environment["CRMSYNC_TEST_SMTP_PORT"].flatMap(Int.init),
            let ca = environment["CRMSYNC_TEST_MAIL_CA"], let conf = environment["CRMSYNC_TEST_DOVECOT_CONF"]
        else {
            throw BenchmarkError("the mail figures need the loopback mail servers: eval \"$(scripts/mail-servers.sh start)\"")
        }
        return MailBenchServer(
            imapsPort: imaps, smtpPort: smtp, caFile: ca,
            passwdFile: URL(fileURLWithPath: conf).deletingLastPathComponent().appendingPathComponent("passwd").path)
    }

    var imaps: MailServerEndpoint { MailServerEndpoint(host: "127.0.0.1", port: self.imapsPort, security: .implicitTLS, caCertificateFile: self.caFile) }
    var smtp: MailServerEndpoint { MailServerEndpoint(host: "127.0.0.1", port: self.smtpPort, security: .startTLS, caCertificateFile: self.caFile) }

    /// A new mailbox user with a random password; Dovecot looks at its passwd file at most once
    /// a second, so this waits that long.
    func makeUser(_ label: String) async throws -> (String, String) {
        let email = "\(label)-\(UUID().uuidString.prefix(8).lowercased())@example.test"
        let password = "pw-\(UUID().uuidString)"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: self.passwdFile))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\(email):{PLAIN}\(password)\n".utf8))
        try handle.close()
        try await Task.sleep(for: .milliseconds(1_500))
        return (email, password)
    }
}
