import Foundation
import PostgresClient
import Synchronization
import Testing

/// LISTEN/NOTIFY against the server `make test` provides: delivery with payload and sender,
/// several (quoted) channels, surviving a server-side kill of the listening backend, stopping.
@Suite("Notification listener")
struct NotificationListenerTests {
    /// A listener with a unique application name (to find its backend) and what it received.
    static func listening(
        _ channels: [String], _ body: (PostgresNotificationListener, Inbox, PostgresConnection) async throws -> Void
    ) async throws {
        var configuration = try ConnectionTests.configuration()
        configuration.applicationName = "listen-test-\(UUID().uuidString.prefix(8))"
        let inbox = Inbox()
        let listener = try PostgresNotificationListener(
            configuration: configuration, channels: channels,
            options: .init(pollInterval: .milliseconds(50), reconnectDelay: .milliseconds(50), maxReconnectDelay: .milliseconds(400))
        ) { sessions in inbox.listening(sessions) }
        let consumer = Task {
            for await notification in listener.notifications { inbox.add(notification) }
            inbox.ended()
        }
        listener.start()
        defer {
            listener.stop()
            consumer.cancel()
        }
        #expect(try await inbox.wait(seconds: 10) { $0.sessions >= 1 }, "the listener never listened")
        let sender = try await PostgresConnection.connect(try ConnectionTests.configuration())
        try await body(listener, inbox, sender)
    }

    @Test("a NOTIFY from another connection arrives with its payload and sender")
    func delivers() async throws {
        try await Self.listening(["crmsync_test_jobs"]) { _, inbox, sender in
            let pid = try #require(try await sender.query("select pg_backend_pid()").first?.decode(Int.self, at: 0))
            try await sender.query("select pg_notify('crmsync_test_jobs', \("job 'one' ✓"))")
            // Inside a transaction: delivered on commit only.
            try await sender.transaction { connection in
                try await connection.query("select pg_notify('crmsync_test_jobs', 'two')")
                try await Task.sleep(for: .milliseconds(300))
                #expect(inbox.snapshot.notifications.count <= 1, "delivered before commit")
            }
            #expect(try await inbox.wait(seconds: 5) { $0.notifications.count >= 2 })
            let received = inbox.snapshot.notifications
            #expect(received.map(\.payload) == ["job 'one' ✓", "two"])
            #expect(received.allSatisfy { $0.channel == "crmsync_test_jobs" && $0.backendPID == Int32(pid) })
        }
    }

    @Test("several channels, names quoted as identifiers; other channels are not heard")
    func severalChannels() async throws {
        let odd = #"Mixed Case "quoted"; listen x"#
        try await Self.listening(["crmsync_test_a", odd]) { _, inbox, sender in
            try await sender.query("select pg_notify('crmsync_test_other', 'no')")
            try await sender.query("select pg_notify('crmsync_test_a', 'a')")
            try await sender.query("select pg_notify(\(odd), 'odd')")
            try await sender.query("select pg_notify('mixed case \"quoted\"; listen x', 'lower')")
            #expect(try await inbox.wait(seconds: 5) { $0.notifications.count >= 2 })
            try await Task.sleep(for: .milliseconds(200))
            let received = inbox.snapshot.notifications
            #expect(received.map(\.channel) == ["crmsync_test_a", odd])
            #expect(received.map(\.payload) == ["a", "odd"])
        }
    }

    @Test("a killed listening backend is replaced and later notifications still arrive")
    func survivesTermination() async throws {
        try await Self.listening(["crmsync_test_kill"]) { listener, inbox, sender in
            let terminated = try await sender.query(
                """
                select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen %crmsync_test_kill%'
                """
            ).first?.decode(Int.self, at: 0)
            #expect(terminated == 1)
            #expect(try await inbox.wait(seconds: 10) { $0.sessions >= 2 }, "the listener did not listen again")
            #expect(listener.listeningSessions == 2)
            try await sender.query("select pg_notify('crmsync_test_kill', 'after')")
            #expect(try await inbox.wait(seconds: 5) { $0.notifications.map(\.payload) == ["after"] })
        }
    }

    @Test("stopping closes the connection and ends the stream")
    func stops() async throws {
        try await Self.listening(["crmsync_test_stop"]) { listener, inbox, sender in
            let running = Task { await listener.run() }  // a second start does nothing; run() waits for the end
            let started = ContinuousClock.now
            listener.stop()
            #expect(try await inbox.wait(seconds: 5) { $0.ended }, "the stream did not end")
            await running.value
            #expect(ContinuousClock.now - started < .seconds(5), "stop() takes effect within a poll interval, not at the next notification")
            // The backend exits shortly after the connection closes.
            let deadline = ContinuousClock.now + .seconds(5)
            var listening = -1
            while listening != 0 && ContinuousClock.now < deadline {
                listening = try await sender.query(
                    "select count(*) from pg_stat_activity where query ilike 'listen %crmsync_test_stop%'"
                ).first?.decode(Int.self, at: 0) ?? -1
                if listening != 0 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(listening == 0, "the listening backend is still there")
        }
    }

    @Test("a channel Postgres cannot take is refused up front")
    func invalidChannel() throws {
        #expect(throws: PostgresNotificationListener.InvalidChannel.self) {
            _ = try PostgresNotificationListener(configuration: .init(), channels: [String(repeating: "x", count: 64)])
        }
        #expect(throws: PostgresNotificationListener.InvalidChannel.self) {
            _ = try PostgresNotificationListener(configuration: .init(), channels: [""])
        }
    }
}

/// What a listener delivered, shared between its consumer task and the test.
final class Inbox: Sendable {
    struct Contents: Sendable {
        var notifications: [PostgresNotification] = []
        var sessions = 0
        var ended = false
    }

    private let contents = Mutex(Contents())

    func add(_ notification: PostgresNotification) { self.contents.withLock { $0.notifications.append(notification) } }
    func listening(_ sessions: Int) { self.contents.withLock { $0.sessions = sessions } }
    func ended() { self.contents.withLock { $0.ended = true } }
    var snapshot: Contents { self.contents.withLock { $0 } }

    /// Waits (polling) until `condition` holds, at most `seconds`.
    func wait(seconds: Double, _ condition: (Contents) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition(self.snapshot) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition(self.snapshot)
    }
}

@Suite("Configuration description")
struct ConfigurationDescriptionTests {
    @Test("a configuration prints no password, nor the connection string")
    func noSecrets() {
        let configuration = PostgresConfiguration(connectionString: "postgresql://app:url-secret@db/crm")
            .loggingIn(as: "crmsync_app", password: "override-secret")
        struct Holder { var configuration: PostgresConfiguration }
        for text in ["\(configuration)", String(reflecting: configuration), "\(Holder(configuration: configuration))"] {
            #expect(!text.contains("secret"), "\(text)")
            #expect(text.contains("password"), "the override keywords show: \(text)")
        }
    }
}
