import CRMSyncDatabase
import CRMSyncProviders
import Foundation
import Logging

/// Opens, renews, replaces and stops the push channels (Google) and subscriptions (Graph) of
/// calendar accounts, in the account owner's worker session, and records each outcome in
/// `calendar_push_channels`. Provider failures are recorded and reported, never fatal.
public struct PushChannelManager: Sendable {
    /// Provider clients with the accounts' tokens (and the database, and the logger).
    public var clients: AccountClients
    /// Channel lifetimes and renewal timing.
    public var settings: PushSettings
    /// Where a provider delivers notifications (the HTTP service's `/webhooks/<provider>`).
    public var webhookURL: @Sendable (CalendarProviderKind) -> URL
    /// The clock expiry is judged by; tests move it instead of waiting days.
    public var now: @Sendable () -> Date

    public init(
        clients: AccountClients, settings: PushSettings, webhookURL: @escaping @Sendable (CalendarProviderKind) -> URL,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.clients = clients
        self.settings = settings
        self.webhookURL = webhookURL
        self.now = now
    }

    /// The account a channel belongs to.
    public struct Target: Sendable, Hashable {
        public var account: UUID
        public var owner: Identity
        public var provider: CalendarProviderKind
        public var calendarID: String

        public init(account: UUID, owner: Identity, provider: CalendarProviderKind, calendarID: String) {
            self.account = account
            self.owner = owner
            self.provider = provider
            self.calendarID = calendarID
        }
    }

    var store: PushChannelStore { PushChannelStore(database: self.clients.database) }

    /// Opens a channel/subscription for the account's calendar and records it (marking
    /// `replacing` replaced). Returns the new channel's id.
    @discardableResult
    public func start(_ target: Target, replacing: UUID? = nil) async throws -> UUID {
        let tokens = try await self.clients.tokens(account: target.account, provider: target.provider, owner: target.owner)
        let secret = PushSecret.random()
        let now = self.now()
        let settings = self.settings
        switch target.provider {
        case .google:
            // Google sends the channel's `sync` message as soon as it opens, possibly before
            // `watch` has answered: the channel (whose id we choose) is recorded first, so that
            // message finds it, and completed (resource id, expiry) once Google confirms.
            let requested = now.addingTimeInterval(settings.googleChannelLifetime.timeInterval)
            let channelID = UUID().uuidString.lowercased()
            let pending = try await self.store.register(
                account: target.account, externalID: channelID, resourceID: nil, tokenHash: secret.hash, expiresAt: requested,
                as: target.owner)
            let channel: GoogleChannel
            do {
                channel = try await self.clients.google(calendarID: target.calendarID, tokens: tokens).watch(
                    channelId: channelID, address: self.webhookURL(.google), token: secret.value,
                    expiration: requested)
            } catch {
                try? await self.store.record(channel: pending, .stopped, error: "watch failed: \(Self.describe(error))", as: target.owner)
                throw error
            }
            return try await self.store.register(
                account: target.account, externalID: channel.id, resourceID: channel.resourceId, tokenHash: secret.hash,
                expiresAt: channel.expiration ?? requested, replacing: replacing, as: target.owner)
        case .outlook:
            let url = self.webhookURL(.outlook)
            let subscription = try await self.clients.graph(calendarID: target.calendarID, tokens: tokens).subscribe(
                notificationURL: url, lifecycleNotificationURL: url, clientState: secret.value,
                expiration: now.addingTimeInterval(settings.graphSubscriptionLifetime.timeInterval))
            return try await self.store.register(
                account: target.account, externalID: subscription.id, resourceID: nil, tokenHash: secret.hash,
                expiresAt: subscription.expiration, replacing: replacing, as: target.owner)
        }
    }

    /// Extends a Graph subscription (`PATCH`) and records the new expiry.
    public func renew(_ target: Target, channel: UUID, subscriptionID: String) async throws {
        let tokens = try await self.clients.tokens(account: target.account, provider: target.provider, owner: target.owner)
        let expiration = self.now().addingTimeInterval(
            self.settings.graphSubscriptionLifetime.timeInterval)
        let renewed = try await self.clients.graph(calendarID: target.calendarID, tokens: tokens)
            .renewSubscription(id: subscriptionID, expiration: expiration)
        try await self.store.record(channel: channel, .renewed, expiresAt: renewed.expiration, as: target.owner)
    }

    /// Stops a channel at the provider and records it stopped. A provider failure (the grant
    /// is gone, the channel already expired) is recorded in `last_error`; the channel is
    /// still marked stopped, since nothing we do will make it deliver again.
    public func stop(_ target: Target, channel: UUID, externalID: String, resourceID: String?) async {
        var failure: String?
        do {
            let tokens = try await self.clients.tokens(account: target.account, provider: target.provider, owner: target.owner)
            switch target.provider {
            case .google:
                try await self.clients.google(calendarID: target.calendarID, tokens: tokens)
                    .stopChannel(id: externalID, resourceId: resourceID ?? "")
            case .outlook:
                try await self.clients.graph(calendarID: target.calendarID, tokens: tokens).deleteSubscription(id: externalID)
            }
        } catch let error as ProviderError where error.isNotFound {
            failure = nil  // already gone at the provider
        } catch {
            failure = "stopping at the provider failed: \(Self.describe(error))"
            self.clients.logger.warning(
                "push channel could not be stopped at the provider",
                metadata: ["channel": "\(channel)", "error": "\(Self.describe(error))"])
        }
        do {
            try await self.store.record(channel: channel, .stopped, error: failure, as: target.owner)
        } catch {
            self.clients.logger.error("push channel state not recorded", metadata: ["channel": "\(channel)", "error": "\(error)"])
        }
    }

    /// Stops every channel of the account that may still deliver; returns how many.
    @discardableResult
    public func stopAll(_ target: Target) async -> Int {
        let channels: [PushChannelStore.Channel]
        do {
            channels = try await self.store.liveChannels(account: target.account, as: target.owner)
        } catch {
            self.clients.logger.error("push channels could not be listed", metadata: ["error": "\(error)"])
            return 0
        }
        for channel in channels {
            var channelTarget = target
            channelTarget.calendarID = channel.calendarID
            await self.stop(channelTarget, channel: channel.id, externalID: channel.externalID, resourceID: channel.resourceID)
        }
        return channels.count
    }

    /// Opens a new channel, then stops the old one (they overlap, as Google expects). When
    /// the new one cannot be opened this throws and the old one is left as it was (the caller
    /// records it failed, so the next round tries again).
    public func replace(_ target: Target, channel: UUID, externalID: String?, resourceID: String?, oldCalendarID: String)
        async throws
    {
        let new = try await self.start(target, replacing: channel)
        // The provider may reuse an id: then the "old" channel is the new one, still live.
        if let externalID, new != channel {
            var old = target
            old.calendarID = oldCalendarID
            await self.stop(old, channel: channel, externalID: externalID, resourceID: resourceID)
        }
    }

    /// A short, secret-free description of a failure.
    public static func describe(_ error: any Error) -> String {
        if let error = error as? ProviderError { return "\(error)" }
        return String(describing: type(of: error)) + ": \(error)"
    }
}

extension ProviderError {
    /// The provider no longer knows the channel or subscription.
    public var isNotFound: Bool {
        switch self {
        case .gone: true
        case .rejected(let status, _, _): status == 404 || status == 410
        default: false
        }
    }
}
