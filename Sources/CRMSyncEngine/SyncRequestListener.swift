import Logging
import PostgresClient
import ServiceLifecycle

/// Wakes a worker the moment a sync is requested: `LISTEN`s on `crmsync_sync_requested`
/// (sent by `public.request_calendar_sync` and conflict resolution, payload the account id) and
/// signals a `SyncWakeUp`. It also signals each time listening (re)starts, since
/// notifications sent while disconnected are lost. Runs until cancelled or graceful shutdown.
///
/// Put it in the same `ServiceGroup` before the worker, so that it stops after the worker.
public struct SyncRequestListener: Service, CustomStringConvertible {
    /// The channel `request_calendar_sync` notifies.
    public static let channel = "crmsync_sync_requested"

    /// The database the worker uses (any role may `LISTEN`; the service's login role will do).
    public var configuration: PostgresConfiguration
    /// The wake-up the worker waits on.
    public var wakeUp: SyncWakeUp
    public var options: PostgresNotificationListener.Options
    public var logger: Logger

    public init(
        configuration: PostgresConfiguration, wakeUp: SyncWakeUp, options: PostgresNotificationListener.Options = .init(),
        logger: Logger = Logger(label: "crmsync.worker.listen")
    ) {
        self.configuration = configuration
        self.wakeUp = wakeUp
        self.options = options
        self.logger = logger
    }

    /// What ServiceLifecycle logs: no connection details.
    public var description: String { "SyncRequestListener(channel: \(Self.channel))" }

    public func run() async throws {
        let wakeUp = self.wakeUp
        let listener = try PostgresNotificationListener(
            configuration: self.configuration, channels: [Self.channel], options: self.options, logger: self.logger
        ) { _ in wakeUp.signal() }
        listener.start()
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                for await notification in listener.notifications {
                    self.logger.trace("sync requested", metadata: ["account": "\(notification.payload)"])
                    wakeUp.signal()
                }
            } onCancel: {
                listener.stop()
            }
        } onGracefulShutdown: {
            listener.stop()
        }
    }
}
