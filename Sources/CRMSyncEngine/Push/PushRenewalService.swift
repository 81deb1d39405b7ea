import CRMSyncDatabase
import CRMSyncProviders
import Foundation
import Logging
import ServiceLifecycle

/// Keeps every syncing account's push channel alive: every `renewalInterval` it renews Graph
/// subscriptions (PATCH) and replaces Google channels (a new one, then stop the old) before
/// they expire, replaces failed ones and ones on a calendar the account no longer syncs, stops
/// the channels of accounts that stopped syncing, and opens missing ones. Expiry is judged by
/// the manager's clock, so tests move the clock instead of waiting days.
///
/// Any number of processes (`crmsync serve`, `crmsync worker`) may run it: a round runs only
/// while its process holds a session advisory lock (`PushChannelStore.withRenewalLock`), so
/// two processes never renew (or replace) the same channel at once.
public struct PushRenewalService: Service {
    /// Opens, renews and stops the channels.
    public var manager: PushChannelManager
    /// Hears each item's provider (as stored) and outcome (metrics).
    public var onOutcome: @Sendable (_ provider: String, _ outcome: String) -> Void

    public init(manager: PushChannelManager, onOutcome: @escaping @Sendable (_ provider: String, _ outcome: String) -> Void = { _, _ in }) {
        self.manager = manager
        self.onOutcome = onOutcome
    }

    var store: PushChannelStore { PushChannelStore(database: self.manager.clients.database) }
    var logger: Logger { self.manager.clients.logger }

    public func run() async throws {
        let interval = self.manager.settings.renewalInterval
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await self.runOnce()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One pass over everything due, unless another process is running one; returns what was
    /// done per reason and outcome (empty when the round was skipped).
    @discardableResult
    public func runOnce() async -> [String: Int] {
        do {
            guard let outcomes = try await self.store.withRenewalLock({ await self.round() }) else {
                self.logger.debug("another process is renewing push channels; skipping this round")
                return [:]
            }
            return outcomes
        } catch {
            self.logger.error("push renewal round failed", metadata: ["error": "\(error)"])
            return [:]
        }
    }

    private func round() async -> [String: Int] {
        let due: [PushChannelStore.Renewal]
        do {
            due = try await self.store.renewals(now: self.manager.now(), margin: self.manager.settings.renewalMargin)
        } catch {
            self.logger.error("push renewals could not be listed", metadata: ["error": "\(error)"])
            return [:]
        }
        var outcomes: [String: Int] = [:]
        for renewal in due {
            if Task.isCancelled { break }
            let outcome = await self.handle(renewal)
            outcomes["\(renewal.reason.rawValue):\(outcome)", default: 0] += 1
            self.onOutcome(renewal.provider, outcome)
        }
        return outcomes
    }

    /// Acts on one item; returns the outcome (`renewed`, `replaced`, `started`, `stopped`, `failed`).
    func handle(_ renewal: PushChannelStore.Renewal) async -> String {
        let manager = self.manager
        guard let provider = CalendarProviderKind(storedName: renewal.provider) else { return "failed" }
        let target = PushChannelManager.Target(
            account: renewal.accountID, owner: renewal.owner, provider: provider, calendarID: renewal.calendarID)
        var logger = self.logger
        logger[metadataKey: "account"] = "\(renewal.accountID.uuidString.lowercased())"
        logger[metadataKey: "reason"] = "\(renewal.reason.rawValue)"
        do {
            switch renewal.reason {
            case .missing:
                try await manager.start(target)
                return "started"
            case .orphaned:
                guard let channel = renewal.channelID, let external = renewal.externalID else { return "failed" }
                await manager.stop(target, channel: channel, externalID: external, resourceID: renewal.resourceID)
                return "stopped"
            case .expiring where provider == .outlook:
                guard let channel = renewal.channelID, let external = renewal.externalID else { return "failed" }
                do {
                    try await manager.renew(target, channel: channel, subscriptionID: external)
                    return "renewed"
                } catch let error as ProviderError where error.isNotFound {
                    // Expired or removed at Graph: a new subscription takes its place.
                    try await manager.replace(
                        target, channel: channel, externalID: nil, resourceID: nil, oldCalendarID: renewal.calendarID)
                    return "replaced"
                }
            case .expiring, .failed, .calendarChanged:
                guard let channel = renewal.channelID else { return "failed" }
                // The account's calendar now (for calendar_changed the channel's differs).
                let current = try await self.currentCalendar(renewal)
                var newTarget = target
                newTarget.calendarID = current
                try await manager.replace(
                    newTarget, channel: channel, externalID: renewal.externalID, resourceID: renewal.resourceID,
                    oldCalendarID: renewal.calendarID)
                return "replaced"
            }
        } catch let error as ProviderError {
            if case .clientRejected(let reason) = error {
                // The provider refused crmsync's OAuth client: the operator's to fix, not the
                // account's (recorded for oauth_client_status, logged once); the account keeps
                // its state and its channel is tried again once the client works.
                let first = try? await SyncStore(database: self.manager.clients.database)
                    .reportClientRejected(account: renewal.accountID, reason: reason, as: renewal.owner)
                if first == true {
                    logger.error(
                        "the provider refused the OAuth client; register a valid one with crmsync oauth-client set",
                        metadata: ["reason": "\(reason)"])
                }
                return "client_rejected"
            }
            if case .reconnectRequired(let reason) = error {
                // A dead grant: the account needs its owner, not another attempt every round.
                // Marked as the sync does it, so it leaves the schedule and the renewal list.
                logger.notice("push channel needs a reconnected account", metadata: ["error": "\(error)"])
                try? await SyncStore(database: self.manager.clients.database)
                    .markReconnect(account: renewal.accountID, reason: reason, as: renewal.owner)
                return "failed"
            }
            return await self.failed(renewal, error: error, logger: logger)
        } catch {
            return await self.failed(renewal, error: error, logger: logger)
        }
    }

    /// Logs a failed renewal and records it on the channel (the next round retries it).
    private func failed(_ renewal: PushChannelStore.Renewal, error: any Error, logger: Logger) async -> String {
        logger.warning("push channel renewal failed", metadata: ["error": "\(PushChannelManager.describe(error))"])
        if let channel = renewal.channelID {
            try? await self.store.record(
                channel: channel, .failed, error: PushChannelManager.describe(error), as: renewal.owner)
        }
        return "failed"
    }

    /// The calendar the account syncs now (the renewal row carries the channel's).
    private func currentCalendar(_ renewal: PushChannelStore.Renewal) async throws -> String {
        try await CalendarAccountStore(database: self.manager.clients.database)
            .currentCalendar(account: renewal.accountID, as: renewal.owner) ?? renewal.calendarID
    }
}
