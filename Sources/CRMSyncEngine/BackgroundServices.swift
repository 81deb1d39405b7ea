import CRMSyncDatabase
import ServiceLifecycle

/// The background services of a process, assembled in one place for `crmsync serve` and
/// `crmsync worker`: the sync-request listener, the sync worker and the push renewal service.
public struct BackgroundServices: Sendable {
    /// The engine the worker syncs with (its database, providers and logger).
    public var engine: CalendarSyncEngine
    public var settings: BackgroundSettings
    /// This worker's name in the leases.
    public var workerName: String
    /// Shared by the listener and the worker.
    public var wakeUp: SyncWakeUp
    /// Push upkeep; nil runs no renewal (no public URL for the providers to deliver to).
    public var pushChannels: PushChannelManager?
    /// Called after each sync run (metrics, console output).
    public var onReport: @Sendable (ClaimedAccount, SyncReport) -> Void
    /// Hears each renewal item's provider and outcome (metrics).
    public var onPushOutcome: @Sendable (_ provider: String, _ outcome: String) -> Void

    public init(
        engine: CalendarSyncEngine, settings: BackgroundSettings = BackgroundSettings(), workerName: String,
        wakeUp: SyncWakeUp = SyncWakeUp(), pushChannels: PushChannelManager?,
        onReport: @escaping @Sendable (ClaimedAccount, SyncReport) -> Void = { _, _ in },
        onPushOutcome: @escaping @Sendable (_ provider: String, _ outcome: String) -> Void = { _, _ in }
    ) {
        self.engine = engine
        self.settings = settings
        self.workerName = workerName
        self.wakeUp = wakeUp
        self.pushChannels = pushChannels
        self.onReport = onReport
        self.onPushOutcome = onPushOutcome
    }

    /// The worker alone.
    public var worker: SyncWorker {
        SyncWorker(
            engine: self.engine,
            leases: SyncLeases(database: self.engine.database, worker: self.workerName, leaseSeconds: self.settings.leaseSeconds),
            concurrency: self.settings.workerConcurrency, pollInterval: self.settings.pollInterval, wakeUp: self.wakeUp,
            onReport: self.onReport)
    }

    /// The services in start order: a `ServiceGroup` stops them in reverse, so the renewal
    /// service and the worker stop before the listener that wakes the worker.
    public func services() -> [any Service] {
        var services: [any Service] = []
        if self.settings.listen {
            services.append(SyncRequestListener(database: self.engine.database, wakeUp: self.wakeUp, logger: self.engine.logger))
        }
        services.append(self.worker)
        if let pushChannels = self.pushChannels, self.settings.push.runRenewal {
            services.append(PushRenewalService(manager: pushChannels, onOutcome: self.onPushOutcome))
        }
        return services
    }
}
