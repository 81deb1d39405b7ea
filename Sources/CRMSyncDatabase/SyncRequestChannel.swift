import Logging
import PostgresClient

/// The `crmsync_sync_requested` notification channel: `public.request_calendar_sync` and
/// conflict resolution notify it, with the account id as payload.
///
/// A dedicated connection `LISTEN`s (off the cooperative pool) and reconnects by itself;
/// notifications sent while it was disconnected are lost, so `onListening` hears each time
/// listening (re)starts.
public final class SyncRequestChannel: Sendable {
    /// The channel's name.
    public static let name = "crmsync_sync_requested"

    /// Poll interval, reconnect delays and buffer of the listening connection; nil keeps the
    /// listener's default (`PostgresNotificationListener.Options` documents them).
    public struct Options: Sendable {
        public var pollInterval: Duration?
        public var reconnectDelay: Duration?
        public var maxReconnectDelay: Duration?
        public var bufferLimit: Int?

        public init(
            pollInterval: Duration? = nil, reconnectDelay: Duration? = nil, maxReconnectDelay: Duration? = nil,
            bufferLimit: Int? = nil
        ) {
            self.pollInterval = pollInterval
            self.reconnectDelay = reconnectDelay
            self.maxReconnectDelay = maxReconnectDelay
            self.bufferLimit = bufferLimit
        }

        var listener: PostgresNotificationListener.Options {
            let defaults = PostgresNotificationListener.Options()
            return PostgresNotificationListener.Options(
                pollInterval: self.pollInterval ?? defaults.pollInterval,
                reconnectDelay: self.reconnectDelay ?? defaults.reconnectDelay,
                maxReconnectDelay: self.maxReconnectDelay ?? defaults.maxReconnectDelay,
                bufferLimit: self.bufferLimit ?? defaults.bufferLimit)
        }
    }

    private let listener: PostgresNotificationListener

    /// Prepares to listen on `database`'s server as its login role (any role may `LISTEN`);
    /// nothing connects until `start()`.
    public init(
        database: TenantDatabase, options: Options = Options(), logger: Logger,
        onListening: @escaping @Sendable () -> Void
    ) throws {
        self.listener = try PostgresNotificationListener(
            configuration: database.pool.configuration, channels: [Self.name], options: options.listener, logger: logger
        ) { _ in onListening() }
    }

    /// Connects and listens in the background.
    public func start() {
        self.listener.start()
    }

    /// Stops listening; `requests()` then ends.
    public func stop() {
        self.listener.stop()
    }

    /// Calls `body` with each requested account's id (the payload), until stopped.
    public func requests(_ body: (String) async -> Void) async {
        for await notification in self.listener.notifications {
            await body(notification.payload)
        }
    }
}
