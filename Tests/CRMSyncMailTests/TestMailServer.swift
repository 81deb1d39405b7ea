import CRMSyncTestSupport
import Foundation
import MailTransport

/// The loopback Dovecot and SMTP capture server `scripts/mail-servers.sh` starts for `make test`.
///
/// Each test makes its own mailbox users (Dovecot re-reads its passwd file when it changes), so
/// tests run side by side and again and again against the same servers. Fixtures are built with
/// `doveadm`, as an administrator would: save, flag, expunge, move, UIDVALIDITY resets.
struct TestMailServer: Sendable {
    var imapPort: Int
    var imapsPort: Int
    var smtpPort: Int
    var caFile: String
    var dovecotConfig: String
    var passwdFile: String

    static func fromEnvironment() throws -> TestMailServer {
        let environment = ProcessInfo.processInfo.environment
        func value(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                throw TestSetupError("\(name) is not set: run the tests with `make test` (scripts/mail-servers.sh starts the mail servers)")
            }
            return value
        }
        return TestMailServer(
            imapPort: Int(try value("CRMSYNC_TEST_IMAP_PORT"))!, imapsPort: Int(try value("CRMSYNC_TEST_IMAPS_PORT"))!,
            smtpPort: Int(try value("CRMSYNC_TEST_SMTP_PORT"))!, caFile: try value("CRMSYNC_TEST_MAIL_CA"),
            dovecotConfig: try value("CRMSYNC_TEST_DOVECOT_CONF"),
            // The passwd file beside the configuration: users added there log in at once.
            passwdFile: URL(fileURLWithPath: try value("CRMSYNC_TEST_DOVECOT_CONF")).deletingLastPathComponent().appendingPathComponent("passwd").path)
    }

    var imaps: MailServerEndpoint { MailServerEndpoint(host: "127.0.0.1", port: self.imapsPort, security: .implicitTLS, caCertificateFile: self.caFile) }
    var imapStartTLS: MailServerEndpoint { MailServerEndpoint(host: "127.0.0.1", port: self.imapPort, security: .startTLS, caCertificateFile: self.caFile) }
    var smtp: MailServerEndpoint { MailServerEndpoint(host: "127.0.0.1", port: self.smtpPort, security: .startTLS, caCertificateFile: self.caFile) }

    /// A new mailbox user; its password is random. Dovecot looks at its passwd file at most once
    /// a second, so this waits until the user is known.
    func makeUser(_ label: String) async throws -> (email: String, password: String) {
        let email = "\(label)-\(UUID().uuidString.prefix(8).lowercased())@example.test"
        let password = "pw-\(UUID().uuidString)"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: self.passwdFile))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\(email):{PLAIN}\(password)\n".utf8))
        try handle.close()
        for _ in 0..<40 {
            if (try? self.doveadm(["user", email])) != nil { return (email, password) }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("Dovecot does not know the new user \(email)")
    }

    /// Runs doveadm with the test server's configuration; `input` goes to its standard input.
    @discardableResult
    func doveadm(_ arguments: [String], input: [UInt8]? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/doveadm")
        process.arguments = ["-c", self.dovecotConfig] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { try stdin.fileHandleForWriting.write(contentsOf: Data(input)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw TestSetupError("doveadm \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text)")
        }
        return text
    }

    func save(_ raw: [UInt8], user: String, folder: String = "INBOX") throws {
        try self.doveadm(["save", "-u", user, "-m", folder], input: raw)
    }

    func createFolder(_ name: String, user: String) throws {
        try self.doveadm(["mailbox", "create", "-u", user, name])
    }

    func addFlag(_ flag: String, uid: UInt32, user: String, folder: String = "INBOX") throws {
        try self.doveadm(["flags", "add", "-u", user, flag, "mailbox", folder, "uid", "\(uid)"])
    }

    func removeFlag(_ flag: String, uid: UInt32, user: String, folder: String = "INBOX") throws {
        try self.doveadm(["flags", "remove", "-u", user, flag, "mailbox", folder, "uid", "\(uid)"])
    }

    func expunge(uid: UInt32, user: String, folder: String = "INBOX") throws {
        try self.doveadm(["expunge", "-u", user, "mailbox", folder, "uid", "\(uid)"])
    }

    func move(uid: UInt32, user: String, from: String, to: String) throws {
        try self.doveadm(["move", "-u", user, to, "mailbox", from, "uid", "\(uid)"])
    }

    func setUIDValidity(_ value: UInt32, user: String, folder: String = "INBOX") throws {
        try self.doveadm(["mailbox", "update", "-u", user, "--uid-validity", "\(value)", folder])
    }

    /// (uid, Message-ID, flags, decoded subject) of every message in `folder`, from doveadm.
    func messages(user: String, folder: String = "INBOX") throws -> [(uid: UInt32, messageID: String, seen: Bool, subject: String)] {
        let text = try self.doveadm(["-f", "tab", "fetch", "-u", user, "uid hdr.message-id flags imap.envelope", "mailbox", folder])
        var rows: [(UInt32, String, Bool, String)] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 4, let uid = UInt32(fields[0]) else { continue }
            let id = fields[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
            rows.append((uid, id, fields[2].contains("\\Seen"), Self.envelopeSubject(String(fields[3]))))
        }
        return rows
    }

    /// The subject of an IMAP ENVELOPE as doveadm prints it: `"date" "subject" …` (plain ASCII
    /// subjects only; enough for the tests' "Re: …" checks).
    static func envelopeSubject(_ envelope: String) -> String {
        let parts = envelope.split(separator: "\"", omittingEmptySubsequences: false)
        return parts.count > 3 ? String(parts[3]) : ""
    }
}

/// Small RFC 5322 messages for fixtures.
enum TestMessages {
    static func simple(id: String, subject: String, from: String = "Carol <carol@example.test>", to: String = "x@example.test", body: String = "Hello") -> [UInt8] {
        Array(
            """
            From: \(from)\r
            To: \(to)\r
            Subject: \(subject)\r
            Message-ID: <\(id)>\r
            Date: Tue, 01 Dec 2026 10:00:00 +0000\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            \(body)\r

            """.utf8)
    }
}
