import Foundation
import Logging
import Synchronization

/// Keeps a worker's lease on one claimed account while its run lasts, and gives it up after.
///
/// The lease is renewed every third of its length. A renewal that fails (the database is away)
/// is retried sooner, with backoff. When no renewal has succeeded for two thirds of the lease,
/// the run is stopped: the last third is left for it to wind down before another worker may
/// claim the account, so two workers never sync one account at once. A lost lease (released,
/// or expired and taken) stops the run at once. Every time is taken just before its call is
/// sent, so the worker's idea of when the lease ends is never later than the database's.
final class LeaseKeeper: Sendable {
    let leases: SyncLeases
    let account: UUID
    let logger: Logger
    /// When the lease was last set (claim or renewal), taken before the call was sent.
    private let setAt: Mutex<ContinuousClock.Instant>

    init(leases: SyncLeases, account: UUID, claimedAt: ContinuousClock.Instant, logger: Logger) {
        self.leases = leases
        self.account = account
        self.logger = logger
        self.setAt = Mutex(claimedAt)
    }

    /// The lease's length.
    var lease: Duration { .seconds(self.leases.leaseSeconds) }
    /// How often the lease is renewed while all is well.
    var renewalInterval: Duration { self.lease / 3 }
    /// How long a run may go on without a successful renewal.
    var stopAfter: Duration { self.lease * 2 / 3 }
    /// When the lease runs out at the latest, as far as this worker knows.
    var expires: ContinuousClock.Instant { self.setAt.withLock { $0 } + self.lease }

    /// Renews the lease until cancelled; calls `stop` (once) when the run must end: the lease
    /// was lost, or could not be renewed for two thirds of its length. A renewal call that
    /// hangs does not hold the stop back (the deadline is watched on its own).
    func keep(stop: @escaping @Sendable (String) -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.renew(stop: stop) }
            group.addTask { await self.watch(stop: stop) }
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// Renews every third of the lease; after a failure, sooner (0.5 s, 1 s, 2 s… up to that).
    private func renew(stop: @Sendable (String) -> Void) async {
        var wait = self.renewalInterval
        var failures = 0
        while !Task.isCancelled {
            do { try await Task.sleep(for: wait) } catch { return }
            let sent = ContinuousClock.now
            do {
                guard try await self.leases.renew(self.account) else {
                    self.logger.warning("lease lost; stopping the sync", metadata: ["account": "\(self.account)"])
                    stop("the lease was lost")
                    return
                }
                self.setAt.withLock { $0 = max($0, sent) }
                failures = 0
                wait = self.renewalInterval
            } catch {
                failures += 1
                wait = min(self.renewalInterval, .milliseconds(500) * (1 << min(failures - 1, 8)))
                self.logger.warning(
                    "renewing the lease failed; retrying",
                    metadata: ["account": "\(self.account)", "attempt": "\(failures)", "error": "\(error)"])
            }
        }
    }

    /// Stops the run once two thirds of the lease passed since it was last set.
    private func watch(stop: @Sendable (String) -> Void) async {
        while !Task.isCancelled {
            let deadline = self.setAt.withLock { $0 } + self.stopAfter
            if ContinuousClock.now >= deadline {
                self.logger.error(
                    "the lease could not be renewed; stopping the sync before it expires", metadata: ["account": "\(self.account)"])
                stop("the lease could not be renewed")
                return
            }
            do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
        }
    }

    /// Gives the lease up. A failed release (the database restarting, say) is retried with
    /// backoff (0.25 s, 0.5 s, 1 s… at most 4 s apart) for as long as the lease would still
    /// hold the account; true when it was released.
    @discardableResult
    func release() async -> Bool {
        var delay = Duration.milliseconds(250)
        var attempt = 1
        while true {
            do {
                try await self.leases.release(self.account)
                if attempt > 1 {
                    self.logger.notice("lease released after retrying", metadata: ["account": "\(self.account)", "attempts": "\(attempt)"])
                }
                return true
            } catch {
                guard ContinuousClock.now + delay < self.expires else {
                    self.logger.error(
                        "releasing the lease failed; it expires by itself",
                        metadata: ["account": "\(self.account)", "attempts": "\(attempt)", "error": "\(error)"])
                    return false
                }
                self.logger.warning(
                    "releasing the lease failed; retrying",
                    metadata: ["account": "\(self.account)", "attempt": "\(attempt)", "error": "\(error)"])
                do { try await Task.sleep(for: delay) } catch { return false }
                delay = min(delay * 2, .seconds(4))
                attempt += 1
            }
        }
    }
}
