import Foundation
import MailTransport
import Testing

/// A live connection whose server stops answering or hangs up. Serialized: both tests work on
/// carol's one IMAP process.
@Suite(.serialized) struct IMAPConnectionFailureTests {
    let servers: MailTestServers

    init() throws {
        self.servers = try MailTestServers()
    }

    /// The pid of carol's imap process (one per connection), from `doveadm who`.
    private func carolsProcess() throws -> pid_t {
        let listing = try self.servers.doveadm(["who", "-1", MailTestServers.carol])
        let pids = listing.split(separator: "\n").dropFirst().compactMap { line -> pid_t? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count >= 3 && fields[1] == "imap" ? pid_t(fields[2]) : nil
        }
        guard pids.count == 1, let pid = pids.first else {
            throw MailTestServers.CommandFailed(description: "expected one imap process of carol, doveadm who said: \(listing)")
        }
        return pid
    }

    @Test func silentServerIsATimeoutAndTheConnectionIsNotReused() async throws {
        // The timeout covers connecting too: while the other suites load both cores a login can
        // take longer than a short read timeout, so connecting is retried (this test is about
        // the live connection).
        var connected: IMAPClient?
        for _ in 0..<8 where connected == nil {
            connected = try? await self.servers.connect(MailTestServers.carol, timeout: .seconds(2))
        }
        let client = try #require(connected)
        _ = try await client.examine("INBOX", qresync: nil)
        let pid = try self.carolsProcess()
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        let started = ContinuousClock.now
        do {
            _ = try await client.searchAllUIDs()
            Issue.record("a stopped server answered")
        } catch {
            guard case .timedOut = error else { Issue.record("got \(error)"); return }
        }
        #expect(ContinuousClock.now - started < .seconds(12))
        kill(pid, SIGCONT)
        // The late reply would be taken for the next command's: the connection refuses more.
        await #expect(throws: MailTransportError.self) { _ = try await client.searchAllUIDs() }
        await client.logout()
    }

    @Test func serverHangingUpIsConnectionLost() async throws {
        let client = try await self.servers.connect(MailTestServers.carol)
        _ = try await client.examine("INBOX", qresync: nil)
        try self.servers.doveadm(["kick", MailTestServers.carol])
        try await Task.sleep(for: .milliseconds(200))
        do {
            _ = try await client.searchAllUIDs()
            Issue.record("a kicked session answered")
        } catch {
            guard case .connectionLost = error else { Issue.record("got \(error)"); return }
        }
        await client.logout()
    }
}
