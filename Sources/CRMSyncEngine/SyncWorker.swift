import CRMSyncDatabase
import Foundation
import Logging
import ServiceLifecycle

/// Syncs due accounts until shut down: `concurrency` slots, each claiming one account at a
/// time with a lease, renewing it while the sync runs and releasing it afterwards.
///
/// An idle slot waits for the poll interval or a `SyncWakeUp` signal, whichever comes first
/// (`SyncRequestListener` signals one on every `request_calendar_sync`), so a requested sync
/// starts at once; the poll interval remains the fallback for accounts that simply became due.
///
/// On graceful shutdown (SIGTERM/SIGINT through a `ServiceGroup`) no new account is claimed;
/// syncs under way finish their run (pages are short) and release their leases. A worker that
/// dies keeps nothing: its leases are short (`LeaseKeeper` renews them while a run lasts and
/// stops a run it cannot renew for), and an idle slot waits no longer than the earliest lease
/// of a due account, so another worker takes the account over as soon as its lease runs out.
/// Each run is logged with what made the account due (`ClaimedAccount.trigger`).
public struct SyncWorker: Service {
    /// The engine that syncs one account.
    public var engine: CalendarSyncEngine
    /// The leases of this worker.
    public var leases: SyncLeases
    /// Accounts synced at once.
    public var concurrency: Int
    /// How long an idle slot waits before claiming again (unless woken).
    public var pollInterval: Duration
    /// Wakes idle slots early; one never signalled leaves the worker polling.
    public var wakeUp: SyncWakeUp
    /// Called after each run (tests and metrics).
    public var onReport: @Sendable (ClaimedAccount, SyncReport) -> Void

    /// Creates a worker.
    public init(
        engine: CalendarSyncEngine, leases: SyncLeases, concurrency: Int = 4, pollInterval: Duration = .seconds(5),
        wakeUp: SyncWakeUp = SyncWakeUp(), onReport: @escaping @Sendable (ClaimedAccount, SyncReport) -> Void = { _, _ in }
    ) {
        self.engine = engine
        self.leases = leases
        self.concurrency = max(1, concurrency)
        self.pollInterval = pollInterval
        self.wakeUp = wakeUp
        self.onReport = onReport
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for slot in 0..<self.concurrency {
                group.addTask { await self.slot(slot) }
            }
        }
    }

    /// One slot's loop: claim, sync, release; wait when nothing is due.
    private func slot(_ number: Int) async {
        var logger = self.engine.logger
        logger[metadataKey: "worker"] = "\(self.leases.worker)/\(number)"
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let ticket = self.wakeUp.ticket()
            let claimedAt = ContinuousClock.now
            let claimed: [ClaimedAccount]
            do {
                claimed = try await self.leases.claim(limit: 1)
            } catch {
                logger.error("claiming accounts failed", metadata: ["error": "\(error)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.pollInterval) }
                continue
            }
            guard let account = claimed.first else {
                // Idle: wait for the poll interval, the end of the earliest lease of a due
                // account (a dead worker's, perhaps) or a wake-up (perhaps one given while we
                // claimed), and at once for shutdown.
                let wait = await self.idleWait()
                _ = await cancelWhenGracefulShutdown { await self.wakeUp.wait(since: ticket, upTo: wait) }
                continue
            }
            await self.syncLeased(account, claimedAt: claimedAt, logger: logger)
        }
    }

    /// How long an idle slot waits: the poll interval, or until just after the earliest lease
    /// of a due account runs out when that comes first.
    private func idleWait() async -> Duration {
        guard let expiry = try? await self.leases.nextExpiry() else { return self.pollInterval }
        return min(self.pollInterval, expiry + .milliseconds(50))
    }

    /// Syncs one claimed account while `LeaseKeeper` keeps its lease; a lease lost or not
    /// renewed in time stops the run. The lease is released afterwards (retried on failure).
    private func syncLeased(_ account: ClaimedAccount, claimedAt: ContinuousClock.Instant, logger: Logger) async {
        let engine = self.engine
        let run = Task {
            try await engine.sync(account: account.accountID, as: account.owner, options: SyncOptions(trigger: account.trigger))
        }
        let keeper = LeaseKeeper(leases: self.leases, account: account.accountID, claimedAt: claimedAt, logger: logger)
        // Not awaited: a renewal stuck on a dead connection must not hold the slot.
        let keeping = Task { await keeper.keep { _ in run.cancel() } }
        let result = await withTaskCancellationHandler { await run.result } onCancel: { run.cancel() }
        keeping.cancel()
        switch result {
        case .success(let report): self.onReport(account, report)
        case .failure(let error): logger.error("sync could not run", metadata: ["error": "\(error)"])
        }
        await keeper.release()
    }
}
