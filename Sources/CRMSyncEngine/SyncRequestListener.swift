import CRMSyncDatabase
import Logging
import ServiceLifecycle

/// Wakes a worker the moment a sync is requested: listens on `SyncRequestChannel` (notified
/// by `public.request_calendar_sync` and conflict resolution, payload the account id) and
/// signals a `SyncWakeUp`. It also signals each time listening (re)starts, since
/// notifications sent while disconnected are lost. Runs until cancelled or graceful shutdown.
///
/// Put it in the same `ServiceGroup` before the worker, so that it stops after the worker.
public struct SyncRequestListener: Service, CustomStringConvertible {
    /// The channel `request_calendar_sync` notifies.
    public static let channel = SyncRequestChannel.name

    /// The database the worker uses (any role may `LISTEN`; the service's login role will do).
    public var database: TenantDatabase
    /// The wake-up the worker waits on.
    public var wakeUp: SyncWakeUp
    public var options: SyncRequestChannel.Options
    public var logger: Logger

    public init(
        database: TenantDatabase, wakeUp: SyncWakeUp, options: SyncRequestChannel.Options = .init(),
        logger: Logger = Logger(label: "crmsync.worker.listen")
    ) {
        self.database = database
        self.wakeUp = wakeUp
        self.options = options
        self.logger = logger
    }

    /// What ServiceLifecycle logs: no connection details.
    public var description: String { "SyncRequestListener(channel: \(Self.channel))" }

    public func run() async throws {
        let wakeUp = self.wakeUp
        let channel = try SyncRequestChannel(database: self.database, options: self.options, logger: self.logger) {
            wakeUp.signal()
        }
        channel.start()
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await channel.requests { account in
                    self.logger.trace("sync requested", metadata: ["account": "\(account)"])
                    wakeUp.signal()
                }
            } onCancel: {
                channel.stop()
            }
        } onGracefulShutdown: {
            channel.stop()
        }
    }
}
