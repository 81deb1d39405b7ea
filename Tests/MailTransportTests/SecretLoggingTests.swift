import Foundation
import Logging
import MailTransport
import Synchronization
import Testing

/// Every log line the transport writes, at trace level, for a session with a successful and a
/// failed login on each protocol: none may contain a password or token.
@Suite struct SecretLoggingTests {
    @Test func passwordsNeverReachTheLog() async throws {
        let servers = try MailTestServers()
        let lines = LogLines()
        var logger = Logger(label: "crmsync.test.capture") { _ in CapturingHandler(lines: lines) }
        logger.logLevel = .trace
        let wrong = "wrong-\(UUID().uuidString)"

        let client = try await IMAPClient.connect(
            to: servers.imapStartTLS, credential: .password(username: MailTestServers.alice, password: MailTestServers.password),
            timeout: .seconds(20), logger: logger)
        _ = try await client.listFolders()
        _ = try await client.examine("INBOX", qresync: nil)
        await client.logout()
        _ = try? await IMAPClient.connect(
            to: servers.imaps, credential: .password(username: MailTestServers.alice, password: wrong), timeout: .seconds(20),
            logger: logger)
        let smtp = SMTPClient(
            endpoint: servers.smtpStartTLS, credential: .password(username: MailTestServers.alice, password: MailTestServers.password),
            logger: logger)
        try await smtp.send(from: MailTestServers.alice, recipients: [MailTestServers.bob], message: MailTestServers.message().bytes)
        try? await SMTPClient(
            endpoint: servers.smtps, credential: .xoauth2(username: MailTestServers.alice, accessToken: wrong), logger: logger
        ).verify()

        let logged = lines.all
        #expect(logged.count >= 4)
        for line in logged {
            #expect(!line.contains(wrong), "\(line)")
            #expect(!line.contains(MailTestServers.password), "\(line)")
        }
    }
}

private final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { self.lines.withLock { $0.append(line) } }
    var all: [String] { self.lines.withLock { $0 } }
}

private struct CapturingHandler: LogHandler {
    let lines: LogLines
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let metadata = (event.metadata ?? [:]).merging(self.metadata) { new, _ in new }
        self.lines.append("\(event.message) \(metadata)")
    }
}
