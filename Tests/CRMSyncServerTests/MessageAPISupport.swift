import CRMSyncDatabase
import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import MailTransport
import PostgresClient

/// Mail for the message API tests: a mailbox of a person whose messages are imported through
/// the sync's own import function (in the owner's worker session, as a sync run stores them),
/// so the tier tables, participants and search index are filled exactly as in production.
struct MailFixture: Sendable {
    let tenant: TenantDatabase
    let account: UUID
    let owner: Identity
    let inbox: UUID
    let archive: UUID

    /// An IMAP mailbox record for `owner` (no server behind it: the routes under test only read).
    static func mailbox(_ harness: ServerHarness, owner: Identity, label: String) async throws -> MailFixture {
        let tenant = harness.database.tenant(maxConnections: 2)
        let store = EmailStore(database: tenant)
        let account = try await store.connect(
            EmailAccountSettings(
                provider: "imap", email: "\(label)-\(UUID().uuidString.prefix(6).lowercased())@acme.example", imapHost: "127.0.0.1",
                imapPort: 9, imapUsername: label, smtpHost: "127.0.0.1", smtpPort: 9),
            secrets: EmailAccountSecrets(password: "unused"), as: owner)
        let inbox = try await store.ensureFolder(account: account, name: "INBOX", role: .inbox, as: owner)
        let archive = try await store.ensureFolder(account: account, name: "Archive", role: .other, as: owner)
        return MailFixture(tenant: tenant, account: account, owner: owner, inbox: inbox, archive: archive)
    }

    /// A message with marker words: the subject holds `subjectWord`, the body `bodyWord`, and
    /// an attachment named after `bodyWord` (what the `full` level alone may show).
    static func message(
        _ n: Int, received: Date, thread: String = "thread-other", subjectWord: String = "zebra", bodyWord: String = "kumquat",
        cc: [String] = [], attachment: Bool = true
    ) -> EmailImportMessage {
        EmailImportMessage(
            providerMessageID: "m\(n)-\(UUID().uuidString.prefix(8))", internetMessageID: "m\(n)-\(UUID().uuidString)@initech.example",
            threadID: thread, fromAddress: "Carol Customer <carol@initech.example>", toAddresses: ["alice@acme.example"],
            ccAddresses: cc, subject: "Quarterly \(subjectWord) plan \(n)", snippet: "Snippet \(bodyWord) \(n)",
            bodyText: "The \(bodyWord) body of message \(n).", bodyHTML: "<p>The \(bodyWord) body of message \(n).</p>",
            receivedAt: received, sizeBytes: 1000 + Int64(n), uid: Int64(n),
            attachments: attachment
                ? [EmailImportAttachment(filename: "\(bodyWord)-\(n).pdf", contentType: "application/pdf", sizeBytes: 10, providerAttachmentID: "2")]
                : [])
    }

    /// Imports `messages` into a folder (UIDs as given).
    func store(_ messages: [EmailImportMessage], archive: Bool = false) async throws {
        _ = try await EmailStore(database: self.tenant).importMessages(
            account: self.account, folder: archive ? self.archive : self.inbox, messages, cursor: nil, as: self.owner)
    }

    func setSharing(_ level: String, _ harness: ServerHarness) async throws {
        let admin = try await harness.database.adminConnection()
        _ = try await admin.query("update public.email_accounts set sharing_level = \(level) where id = \(self.account)")
    }
}

/// The loopback Dovecot of `scripts/mail-servers.sh` (CRMSYNC_TEST_* variables): new users and
/// delivery with doveadm.
struct TestDovecot: Sendable {
    var imapsPort: Int
    var smtpPort: Int
    var caFile: String
    var config: String

    static func fromEnvironment() throws -> TestDovecot {
        let environment = ProcessInfo.processInfo.environment
        func value(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                throw TestSetupError("\(name) is not set: start the mail servers (eval \"$(scripts/mail-servers.sh start)\")")
            }
            return value
        }
        return TestDovecot(
            imapsPort: Int(try value("CRMSYNC_TEST_IMAPS_PORT"))!, smtpPort: Int(try value("CRMSYNC_TEST_SMTP_PORT"))!,
            caFile: try value("CRMSYNC_TEST_MAIL_CA"), config: try value("CRMSYNC_TEST_DOVECOT_CONF"))
    }

    var imaps: MailServerEndpoint { MailServerEndpoint(host: "127.0.0.1", port: self.imapsPort, security: .implicitTLS, caCertificateFile: self.caFile) }
    var smtp: MailServerEndpoint { MailServerEndpoint(host: "127.0.0.1", port: self.smtpPort, security: .startTLS, caCertificateFile: self.caFile) }

    func makeUser(_ label: String) async throws -> (email: String, password: String) {
        let email = "\(label)-\(UUID().uuidString.prefix(8).lowercased())@example.test"
        let password = "pw-\(UUID().uuidString)"
        let passwd = URL(fileURLWithPath: self.config).deletingLastPathComponent().appendingPathComponent("passwd")
        let handle = try FileHandle(forWritingTo: passwd)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\(email):{PLAIN}\(password)\n".utf8))
        try handle.close()
        for _ in 0..<40 {
            if (try? self.doveadm(["user", email], input: nil)) != nil { return (email, password) }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("Dovecot does not know the new user \(email)")
    }

    /// Delivers the message in `file` into the user's INBOX.
    func save(file: URL, user: String) throws {
        try self.doveadm(["save", "-u", user, "-m", "INBOX"], input: file)
    }

    @discardableResult
    func doveadm(_ arguments: [String], input: URL?) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/doveadm")
        process.arguments = ["-c", self.config] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = try input.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSetupError("doveadm \(arguments.first ?? "") failed: \(String(decoding: data, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A download read chunk by chunk (libcurl, never buffered) and hashed by `sha256sum` as it
/// arrives, so a 20 MB body never sits in this process's memory.
struct StreamedDownload {
    var status: Int
    var headers: [String: String]
    var bytes: Int
    var sha256: String
    /// The largest resident set of process `pid` seen while the body streamed, in KiB.
    var peakResidentKiB: Int

    static func get(_ url: URL, headers: [String: String], watching pid: String) async throws -> StreamedDownload {
        let response = try await CurlStreamingTransport(timeout: .seconds(60)).stream(HTTPRequest(method: "GET", url: url, headers: headers))
        let hasher = try SHA256Sum()
        var count = 0
        var peak = ProcessMemory.kib("VmRSS", pid: pid)
        for try await chunk in response.body {
            try hasher.write(chunk)
            count += chunk.count
            peak = max(peak, ProcessMemory.kib("VmRSS", pid: pid))
        }
        return StreamedDownload(status: response.status, headers: response.headers, bytes: count, sha256: try hasher.finish(), peakResidentKiB: peak)
    }
}

/// `sha256sum` fed through a pipe.
final class SHA256Sum {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()

    init() throws {
        self.process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        self.process.standardInput = self.input
        self.process.standardOutput = self.output
        try self.process.run()
    }

    func write(_ bytes: [UInt8]) throws {
        try self.input.fileHandleForWriting.write(contentsOf: Data(bytes))
    }

    func finish() throws -> String {
        try self.input.fileHandleForWriting.close()
        let data = self.output.fileHandleForReading.readDataToEndOfFile()
        self.process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    static func file(_ url: URL) throws -> String {
        let hasher = try SHA256Sum()
        let handle = try FileHandle(forReadingFrom: url)
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty { try hasher.write(Array(data)) }
        try handle.close()
        return try hasher.finish()
    }
}

/// A process's memory from /proc/<pid>/status (`self` for this one).
enum ProcessMemory {
    static func kib(_ key: String, pid: String = "self") -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return -1 }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return Int(line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") ?? -1
        }
        return -1
    }

    /// Resets VmHWM to the current resident set (Linux clear_refs 5); false when not allowed.
    static func resetPeak(pid: String = "self") -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/\(pid)/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }
}
