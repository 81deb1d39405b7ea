import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import Logging
import ServiceLifecycle

/// Work a webhook accepted and answered before doing (Graph wants its reply within 3 s).
struct PushWork: Sendable {
    enum Action: Sendable {
        /// A change: the account becomes due (coalesced).
        case changed
        /// `missed`: notifications were lost; resync.
        case missed
        /// `reauthorizationRequired`: renew the subscription.
        case reauthorize
        /// `subscriptionRemoved`: open a new subscription, then resync.
        case recreate
    }

    var channel: PushChannelStore.Lookup
    var externalID: String
    var action: Action
}

/// The queue between the Graph webhook and `PushWorkService`. Items yielded after the service
/// finished the queue (shutdown) are refused, and the webhook then does the work inline, so
/// nothing accepted is lost.
public struct PushWorkQueue: Sendable {
    let stream: AsyncStream<PushWork>
    let continuation: AsyncStream<PushWork>.Continuation

    public init() {
        (self.stream, self.continuation) = AsyncStream.makeStream(of: PushWork.self, bufferingPolicy: .unbounded)
    }

    /// False when the queue no longer takes work.
    func enqueue(_ work: PushWork) -> Bool {
        if case .enqueued = self.continuation.yield(work) { return true }
        return false
    }
}

/// Drains `PushWorkQueue`: on graceful shutdown the queue is closed and what it holds is
/// still done before the service returns.
public struct PushWorkService: Service {
    let queue: PushWorkQueue
    let dependencies: ServerDependencies

    public init(queue: PushWorkQueue, dependencies: ServerDependencies) {
        self.queue = queue
        self.dependencies = dependencies
    }

    public func run() async throws {
        let continuation = self.queue.continuation
        await withGracefulShutdownHandler {
            for await work in self.queue.stream {
                await Self.perform(work, dependencies: self.dependencies)
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
    }

    /// Does one piece of work; failures are logged (the next renewal round or poll catches up).
    static func perform(_ work: PushWork, dependencies: ServerDependencies) async {
        let store = PushChannelStore(database: dependencies.database)
        let owner = work.channel.owner
        do {
            switch work.action {
            case .changed, .missed:
                _ = try await store.accept(channel: work.channel.channelID, markDue: true, as: owner)
            case .reauthorize:
                _ = try await store.accept(channel: work.channel.channelID, markDue: false, as: owner)
                let target = try await Self.target(work, dependencies: dependencies)
                try await PushChannelManager(dependencies: dependencies)
                    .renew(target, channel: work.channel.channelID, subscriptionID: work.externalID)
                dependencies.metrics.pushRenewal(provider: CalendarProviderKind.outlook.storedName, outcome: "renewed")
            case .recreate:
                _ = try await store.accept(channel: work.channel.channelID, markDue: true, as: owner)
                let target = try await Self.target(work, dependencies: dependencies)
                try await PushChannelManager(dependencies: dependencies).replace(
                    target, channel: work.channel.channelID, externalID: nil, resourceID: nil, oldCalendarID: target.calendarID)
                dependencies.metrics.pushRenewal(provider: CalendarProviderKind.outlook.storedName, outcome: "replaced")
            }
        } catch {
            if work.action == .reauthorize || work.action == .recreate {
                // The renewal service replaces failed subscriptions on its next round.
                try? await store.record(
                    channel: work.channel.channelID, .failed, error: PushChannelManager.describe(error), as: owner)
            }
            dependencies.logger.warning(
                "webhook work failed",
                metadata: ["channel": "\(work.channel.channelID)", "error": "\(PushChannelManager.describe(error))"])
        }
    }

    static func target(_ work: PushWork, dependencies: ServerDependencies) async throws -> PushChannelManager.Target {
        guard let calendar = try await dependencies.accounts.currentCalendar(account: work.channel.accountID, as: work.channel.owner)
        else { throw APIError.notFound("calendar account") }
        return PushChannelManager.Target(
            account: work.channel.accountID, owner: work.channel.owner, provider: .outlook, calendarID: calendar)
    }
}
