import Foundation
import Logging
import Synchronization

/// A dedicated connection that `LISTEN`s on channels and delivers every `NOTIFY` sent to them
/// as an `AsyncStream`.
///
/// libpq is driven on a thread of its own (never the cooperative pool): it waits with `poll()`
/// on the connection's socket for at most `Options.pollInterval`, so `stop()` takes effect
/// promptly. When the connection breaks (server restart, `pg_terminate_backend`, network) it
/// reconnects with a doubling, capped delay and listens again. Notifications sent while it was
/// disconnected are lost, so `onListening` tells the owner each time listening (re)starts:
/// whoever relies on notifications should re-check what it waits for then.
///
/// ```swift
/// let listener = try PostgresNotificationListener(configuration: config, channels: ["jobs"])
/// listener.start()
/// for await notification in listener.notifications { … }   // ends after `stop()`
/// ```
public final class PostgresNotificationListener: Sendable {
    /// The notifications, in the order the server sent them. One consumer; finishes once the
    /// listener has stopped.
    public let notifications: AsyncStream<PostgresNotification>
    /// The channels, as given (case-sensitive: they are quoted as identifiers).
    public let channels: [String]

    let configuration: PostgresConfiguration
    let options: Options
    let logger: Logger
    let onListening: @Sendable (Int) -> Void
    let continuation: AsyncStream<PostgresNotification>.Continuation
    private let state = Mutex(State())

    private struct State {
        var started = false
        var stopping = false
        var finished = false
        var sessions = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Creates a listener; nothing connects until `start()` or `run()`.
    ///
    /// - Parameter onListening: called on the listener's thread each time `LISTEN` is in place,
    ///   with the number of sessions so far (1 at first, more after reconnects). Must not block.
    public init(
        configuration: PostgresConfiguration, channels: [String], options: Options = Options(),
        logger: Logger = Logger(label: "crmsync.postgres.listen"), onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws {
        try configuration.validate()
        for channel in channels where channel.isEmpty || channel.utf8.count > 63 || channel.utf8.contains(0) {
            throw InvalidChannel(channel: channel)
        }
        self.configuration = configuration
        self.channels = channels
        self.options = options
        self.logger = logger
        self.onListening = onListening
        (self.notifications, self.continuation) = AsyncStream.makeStream(
            of: PostgresNotification.self, bufferingPolicy: .bufferingNewest(options.bufferLimit))
    }

    /// Starts listening on a thread of its own; calling it again does nothing.
    public func start() {
        let start = self.state.withLock { state in
            defer { state.started = true }
            return !state.started && !state.stopping
        }
        guard start else { return }
        let thread = Thread { [self] in
            self.runLoop()
            self.finish()
        }
        thread.name = "crmsync.postgres.listen"
        thread.start()
    }

    /// Asks the listener to stop: it closes its connection within `Options.pollInterval` and
    /// then finishes `notifications`. Safe to call more than once, from anywhere.
    public func stop() {
        let neverStarted = self.state.withLock { state in
            state.stopping = true
            return !state.started
        }
        if neverStarted { self.finish() }
    }

    /// Starts listening and returns once stopped; cancelling the calling task stops it.
    public func run() async {
        self.start()
        await withTaskCancellationHandler {
            await withCheckedContinuation { waiter in
                let finished = self.state.withLock { state in
                    if !state.finished { state.waiters.append(waiter) }
                    return state.finished
                }
                if finished { waiter.resume() }
            }
        } onCancel: {
            self.stop()
        }
    }

    /// How many times `LISTEN` has been put in place (more than one means it reconnected).
    public var listeningSessions: Int { self.state.withLock { $0.sessions } }

    var isStopping: Bool { self.state.withLock { $0.stopping } }

    /// Counts a new listening session and tells the owner.
    func listening() {
        let sessions = self.state.withLock { state in
            state.sessions += 1
            return state.sessions
        }
        self.logger.debug("listening", metadata: ["channels": "\(self.channels)", "session": "\(sessions)"])
        self.onListening(sessions)
    }

    private func finish() {
        self.continuation.finish()
        let waiters = self.state.withLock { state in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }
}
