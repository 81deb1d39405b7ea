import Foundation
import MailTransport
import Testing

/// SMTPClient against the loopback capture server, which delivers into Dovecot through LMTP.
@Suite struct SMTPClientTests {
    let servers: MailTestServers

    init() throws {
        self.servers = try MailTestServers()
    }

    @Test func verifyLogsInOverBothPorts() async throws {
        try await self.servers.smtp().verify()
        try await self.servers.smtp(self.servers.smtps).verify()
    }

    @Test func sentMailReachesBobsInbox() async throws {
        for endpoint in [self.servers.smtpStartTLS, self.servers.smtps] {
            // Bare LF on purpose: the client sends CRLF.
            let message = MailTestServers.message(
                subject: "Sent over \(endpoint.security.rawValue)", body: "Hi Bob.\nSecond line.\n.\nDot line.")
            let bare = Array(String(decoding: message.bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n").utf8)
            try await self.servers.smtp(endpoint).send(from: MailTestServers.alice, recipients: [MailTestServers.bob], message: bare)
            let client = try await self.servers.connect(MailTestServers.bob)
            _ = try await client.examine("INBOX", qresync: nil)
            let uids = try await client.searchUIDs(messageID: message.id)
            #expect(uids.count == 1)
            let fetched = try await client.fetchMessages(uids: uids)
            let raw = String(decoding: fetched.first?.raw ?? [], as: UTF8.self)
            #expect(raw.contains("Subject: Sent over \(endpoint.security.rawValue)\r\n"))
            #expect(raw.contains("Hi Bob.\r\nSecond line.\r\n.\r\nDot line.\r\n"))
            await client.logout()
            // The capture directory holds the same message.
            let files = try FileManager.default.contentsOfDirectory(atPath: self.servers.capturedDirectory).filter { $0.hasSuffix(".eml") }
            let captured = try files.contains { name in
                try String(contentsOfFile: self.servers.capturedDirectory + "/" + name, encoding: .utf8).contains(message.id)
            }
            #expect(captured)
        }
    }

    @Test func wrongPasswordIsAuthenticationFailed() async throws {
        let wrong = "wrong-\(UUID().uuidString)"
        for endpoint in [self.servers.smtpStartTLS, self.servers.smtps] {
            do {
                try await self.servers.smtp(endpoint, password: wrong).send(
                    from: MailTestServers.alice, recipients: [MailTestServers.bob], message: MailTestServers.message().bytes)
                Issue.record("sent with a wrong password")
            } catch {
                guard case .authenticationFailed = error else { Issue.record("got \(error)"); continue }
                #expect(!error.description.contains(wrong))
            }
            await #expect(throws: MailTransportError.self) { try await self.servers.smtp(endpoint, password: wrong).verify() }
        }
    }

    @Test func refusedRecipientIsRejected() async throws {
        do {
            try await self.servers.smtp().send(
                from: MailTestServers.alice, recipients: [MailTestServers.bob, "nobody@example.test"],
                message: MailTestServers.message().bytes)
            Issue.record("an unknown recipient was accepted")
        } catch {
            guard case .rejected(let text) = error else { Issue.record("got \(error)"); return }
            #expect(text.contains("550"))
        }
    }

    @Test func xoauth2TokenIsAccepted() async throws {
        let client = SMTPClient(
            endpoint: self.servers.smtpStartTLS,
            credential: .xoauth2(username: MailTestServers.alice, accessToken: "test-access-token-alice"),
            logger: self.servers.logger)
        try await client.verify()
        let refused = SMTPClient(
            endpoint: self.servers.smtpStartTLS, credential: .xoauth2(username: MailTestServers.alice, accessToken: "expired-token-123"),
            logger: self.servers.logger)
        do {
            try await refused.verify()
            Issue.record("a bad token was accepted")
        } catch {
            guard case .authenticationFailed = error else { Issue.record("got \(error)"); return }
            #expect(!error.description.contains("expired-token-123"))
        }
    }

    @Test func unreachableAndUntrusted() async throws {
        let closed = MailServerEndpoint(
            host: "127.0.0.1", port: try closedPort(), security: .startTLS, caCertificateFile: self.servers.caFile)
        do {
            try await self.servers.smtp(closed).verify()
            Issue.record("connected to a closed port")
        } catch {
            guard case .unreachable = error else { Issue.record("got \(error)"); return }
        }
        var untrusted = self.servers.smtpStartTLS
        untrusted.caCertificateFile = nil
        do {
            try await self.servers.smtp(untrusted).verify()
            Issue.record("trusted a self-signed certificate")
        } catch {
            guard case .certificate = error else { Issue.record("got \(error)"); return }
        }
    }
}
