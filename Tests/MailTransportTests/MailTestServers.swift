import Foundation
import Logging
import MailTransport

/// The loopback Dovecot and SMTP servers of `scripts/mail-servers.sh`, as the environment
/// names them. Missing variables fail the test: these tests are never skipped silently.
struct MailTestServers {
    struct NotStarted: Error, CustomStringConvertible {
        var variable: String
        var description: String {
            "\(self.variable) is not set: start the test mail servers first with "
                + "`eval \"$(scripts/mail-servers.sh start)\"` (CRMSYNC_MAIL_PORT picks the base port)"
        }
    }

    struct CommandFailed: Error, CustomStringConvertible {
        var description: String
    }

    static let alice = "alice@example.test"
    static let bob = "bob@example.test"
    /// Only the tests that stop or kick her server process log in as carol.
    static let carol = "carol@example.test"
    /// Test-only password of both users (written by scripts/mail-servers.sh).
    static let password = "secret"

    let imapPort: Int
    let imapsPort: Int
    let smtpPort: Int
    let smtpsPort: Int
    let caFile: String
    let capturedDirectory: String
    let dovecotConfig: String
    let logger = Logger(label: "crmsync.test.mail")

    init() throws {
        let environment = ProcessInfo.processInfo.environment
        func value(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else { throw NotStarted(variable: name) }
            return value
        }
        func port(_ name: String) throws -> Int {
            guard let port = Int(try value(name)) else { throw NotStarted(variable: name) }
            return port
        }
        self.imapPort = try port("CRMSYNC_TEST_IMAP_PORT")
        self.imapsPort = try port("CRMSYNC_TEST_IMAPS_PORT")
        self.smtpPort = try port("CRMSYNC_TEST_SMTP_PORT")
        self.smtpsPort = try port("CRMSYNC_TEST_SMTPS_PORT")
        self.caFile = try value("CRMSYNC_TEST_MAIL_CA")
        self.capturedDirectory = try value("CRMSYNC_TEST_MAIL_DIR")
        self.dovecotConfig = try value("CRMSYNC_TEST_DOVECOT_CONF")
    }

    var imaps: MailServerEndpoint {
        MailServerEndpoint(host: "localhost", port: self.imapsPort, security: .implicitTLS, caCertificateFile: self.caFile)
    }

    var imapStartTLS: MailServerEndpoint {
        MailServerEndpoint(host: "localhost", port: self.imapPort, security: .startTLS, caCertificateFile: self.caFile)
    }

    var smtpStartTLS: MailServerEndpoint {
        MailServerEndpoint(host: "localhost", port: self.smtpPort, security: .startTLS, caCertificateFile: self.caFile)
    }

    var smtps: MailServerEndpoint {
        MailServerEndpoint(host: "localhost", port: self.smtpsPort, security: .implicitTLS, caCertificateFile: self.caFile)
    }

    func connect(
        _ user: String = MailTestServers.alice, endpoint: MailServerEndpoint? = nil, timeout: Duration = .seconds(20)
    ) async throws(MailTransportError) -> IMAPClient {
        try await IMAPClient.connect(
            to: endpoint ?? self.imaps, credential: .password(username: user, password: Self.password),
            timeout: timeout, logger: self.logger)
    }

    func smtp(_ endpoint: MailServerEndpoint? = nil, password: String = MailTestServers.password) -> SMTPClient {
        SMTPClient(
            endpoint: endpoint ?? self.smtpStartTLS, credential: .password(username: Self.alice, password: password),
            heloName: "crmsync.test", timeout: .seconds(20), logger: self.logger)
    }

    // MARK: Fixtures through doveadm

    /// A new, empty folder of `user` with a unique name, so tests can run again and in parallel.
    func freshFolder(_ user: String = MailTestServers.alice, prefix: String = "T") throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(8))"
        try self.doveadm(["mailbox", "create", "-u", user, name])
        return name
    }

    /// Stores `message` in `folder` of `user` as the server's own delivery would.
    func save(_ message: [UInt8], user: String = MailTestServers.alice, folder: String) throws {
        try self.doveadm(["save", "-u", user, "-m", folder], input: message)
    }

    /// Runs doveadm against the test server; returns its standard output.
    @discardableResult
    func doveadm(_ arguments: [String], input: [UInt8]? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/doveadm")
        process.arguments = ["-c", self.dovecotConfig] + arguments
        let errors = Pipe()
        let output = Pipe()
        process.standardError = errors
        process.standardOutput = output
        var inputFile: URL?
        if let input {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("crmsync-mail-\(UUID().uuidString).eml")
            try Data(input).write(to: file)
            process.standardInput = try FileHandle(forReadingFrom: file)
            inputFile = file
        }
        defer { if let inputFile { try? FileManager.default.removeItem(at: inputFile) } }
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(
                description: "doveadm \(arguments.prefix(2).joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
        }
        return String(decoding: printed, as: UTF8.self)
    }

    /// A small CRLF message with a unique Message-ID.
    static func message(id: String = UUID().uuidString + "@crmsync.test", subject: String = "Test", body: String = "Hello.") -> (
        id: String, bytes: [UInt8]
    ) {
        let text =
            "From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\nSubject: \(subject)\r\n"
            + "Date: Tue, 05 Mar 2024 10:00:00 +0000\r\nMessage-ID: <\(id)>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n\r\n\(body)\r\n"
        return (id, Array(text.utf8))
    }
}
