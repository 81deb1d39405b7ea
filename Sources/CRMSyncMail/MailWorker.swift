import CRMSyncDatabase
import Foundation
import Logging
import ServiceLifecycle

/// Syncs due mail accounts and sends their outboxes until shut down, with the same leases as
/// the calendar worker: a claimed account is held by one worker only, the lease is renewed
/// while the run lasts and released after it; a dead worker's lease expires and another
/// worker takes the account.
public struct MailWorker: Service {
    public var engine: MailSyncEngine
    public var sender: OutboxSender
    /// This worker's name, as `email_accounts.lease_owner` records it.
    public var worker: String
    public var leaseSeconds: Int
    public var concurrency: Int
    public var pollInterval: Duration
    /// Called after each run (tests and metrics).
    public var onReport: @Sendable (UUID, MailSyncReport, [OutboxSender.Outcome]) -> Void

    public init(
        engine: MailSyncEngine, sender: OutboxSender, worker: String, leaseSeconds: Int = 300, concurrency: Int = 2,
        pollInterval: Duration = .seconds(30),
        onReport: @escaping @Sendable (UUID, MailSyncReport, [OutboxSender.Outcome]) -> Void = { _, _, _ in }
    ) {
        self.engine = engine
        self.sender = sender
        self.worker = worker
        self.leaseSeconds = max(10, leaseSeconds)
        self.concurrency = max(1, concurrency)
        self.pollInterval = pollInterval
        self.onReport = onReport
    }

    var store: EmailStore { EmailStore(database: self.engine.database) }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for slot in 0..<self.concurrency {
                group.addTask { await self.slot(slot) }
            }
        }
    }

    private func slot(_ number: Int) async {
        var logger = self.engine.logger
        logger[metadataKey: "worker"] = "\(self.worker)/mail/\(number)"
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let claimed: [EmailStore.Claim]
            do {
                claimed = try await self.store.claim(worker: self.worker, limit: 1, leaseSeconds: self.leaseSeconds)
            } catch {
                logger.error("claiming mail accounts failed", metadata: ["error": "\(error)"])
                claimed = []
            }
            guard let account = claimed.first else {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.pollInterval) }
                continue
            }
            await self.runLeased(account, logger: logger)
        }
    }

    /// Syncs then sends, renewing the lease; a lost lease stops the run.
    private func runLeased(_ account: EmailStore.Claim, logger: Logger) async {
        let engine = self.engine
        let sender = self.sender
        let run = Task {
            let report = try await engine.sync(account: account.accountID, as: account.owner, options: MailSyncOptions(trigger: .auto))
            let sent = try await sender.sendPending(account: account.accountID, as: account.owner)
            return (report, sent)
        }
        let store = self.store
        let worker = self.worker
        let leaseSeconds = self.leaseSeconds
        // A lease that cannot be renewed (lost, or the database unreachable) stops the run: it
        // would otherwise outlive its lease and meet another worker on the same account.
        let renewer = Task {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: .seconds(max(1, leaseSeconds / 3)))
                    if try await !store.renewLease(account: account.accountID, worker: worker, leaseSeconds: leaseSeconds) {
                        logger.warning("lease lost; stopping the mail sync", metadata: ["account": "\(account.accountID)"])
                        run.cancel()
                        return
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("renewing the lease failed; stopping the mail sync", metadata: ["error": "\(error)"])
                    run.cancel()
                    return
                }
            }
        }
        let result = await withTaskCancellationHandler { await run.result } onCancel: { run.cancel() }
        renewer.cancel()
        switch result {
        case .success(let (report, sent)): self.onReport(account.accountID, report, sent)
        case .failure(let error): logger.error("mail sync could not run", metadata: ["error": "\(error)"])
        }
        do {
            try await store.releaseLease(account: account.accountID, worker: worker)
        } catch {
            logger.error("releasing the mail lease failed (it will expire)", metadata: ["error": "\(error)"])
        }
    }
}
