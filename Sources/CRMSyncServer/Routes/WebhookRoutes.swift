import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /webhooks/google` and `POST /webhooks/microsoft`: the providers' push notifications
/// (calendar channels, and Outlook mailboxes' Inbox subscriptions).
///
/// A notification carries no identity. The channel is found by its id alone, its secret
/// (Google's channel token, Graph's clientState) compared with the stored sha256 in constant
/// time, and only then is anything done, in the channel owner's worker session. Unknown,
/// stopped or expired channels and wrong secrets are refused and change nothing.
struct WebhookRoutes: Sendable {
    let dependencies: ServerDependencies
    let queue: PushWorkQueue

    func register(on router: Router<ServerRequestContext>) {
        router.post("webhooks/google", use: self.google)
        router.post("webhooks/microsoft", use: self.microsoft)
    }

    var store: PushChannelStore { PushChannelStore(database: self.dependencies.database) }

    // MARK: Google

    @Sendable func google(_ request: Request, context: ServerRequestContext) async throws -> Response {
        do {
            let response = try await self.handleGoogle(request)
            self.dependencies.metrics.webhookDelivery(provider: CalendarProviderKind.google.oauthClientName, accepted: true)
            return response
        } catch {
            self.dependencies.metrics.webhookDelivery(provider: CalendarProviderKind.google.oauthClientName, accepted: false)
            throw error
        }
    }

    private func handleGoogle(_ request: Request) async throws -> Response {
        let headers = request.headers
        guard let channelID = headers[.googChannelID], !channelID.isEmpty, channelID.count <= 255,
            let state = headers[.googResourceState], !state.isEmpty
        else {
            throw APIError.badRequest("invalid_notification", "X-Goog-Channel-ID and X-Goog-Resource-State are required")
        }
        guard let channel = try await self.store.lookup(provider: CalendarProviderKind.google.storedName, externalID: channelID),
            channel.isLive(at: self.dependencies.now())
        else { throw APIError.notFound("channel") }
        guard PushSecret.matches(headers[.googChannelToken], stored: channel.tokenHash),
            channel.resourceID == nil || headers[.googResourceID] == nil || headers[.googResourceID] == channel.resourceID
        else { throw APIError(.unauthorized, code: "invalid_channel_token", message: "the channel token does not match") }
        // `sync` opens every channel and asks for nothing; `exists` / `not_exists` say the calendar changed.
        let changed = state == "exists" || state == "not_exists"
        do {
            _ = try await self.store.accept(channel: channel.channelID, markDue: changed, as: channel.owner)
        } catch DatabaseError.refused {
            throw APIError.notFound("channel")  // stopped between the lookup and now
        }
        return Response(status: .ok)
    }

    // MARK: Microsoft Graph

    /// One item of `{"value":[…]}`: a change or a lifecycle notification.
    struct GraphNotification: Decodable {
        var subscriptionId: String?
        var clientState: String?
        var changeType: String?
        var lifecycleEvent: String?
    }

    struct GraphNotifications: Decodable {
        var value: [GraphNotification]
    }

    /// Items one Graph notification may carry (the subscriptions are looked up in one query
    /// of at most `PushChannelStore.maxLookupIDs`); more is a 413.
    static let maxGraphNotifications = PushChannelStore.maxLookupIDs
    /// A Graph notification body larger than this is a 413 before it is parsed (100 change
    /// notifications with resource data fit well within it).
    static let maxGraphBodyBytes = 256 * 1024

    @Sendable func microsoft(_ request: Request, context: ServerRequestContext) async throws -> Response {
        // Subscription handshake: echo the token (the query parser has percent-decoded it) as plain text.
        // Graph sends it as text/plain without a body; a body that comes with it must still be a
        // notification collection (the document describes one body for the route), else 415/400.
        let notifications = try await self.decodeGraph(request)
        if let token = request.uri.queryParameters["validationToken"] {
            let text = String(token)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        // No body carries no notification: nothing to do.
        guard let notifications else { return Response(status: .accepted) }
        // Anyone can post here: the work a body can buy is bounded before any lookup. One query
        // finds every subscription named; an item whose clientState does not match its
        // subscription's secret is dropped without any further work.
        guard notifications.value.count <= Self.maxGraphNotifications else {
            throw APIError(
                .contentTooLarge, code: "too_many_notifications",
                message: "a notification may carry at most \(Self.maxGraphNotifications) items")
        }
        // An id Postgres text cannot hold (NUL) names no subscription: not looked up.
        let named = Set(notifications.value.compactMap { item in
            item.subscriptionId.flatMap {
                !$0.isEmpty && $0.count <= 255 && !$0.unicodeScalars.contains("\u{0}") && item.clientState != nil ? $0 : nil
            }
        })
        let channels = try await self.store.lookup(provider: CalendarProviderKind.outlook.storedName, externalIDs: Array(named))
        // Ids that are no calendar channel may be an Outlook mailbox's subscription.
        let mailboxes = try await EmailStore(database: self.dependencies.database)
            .pushSubscriptions(ids: Array(named.subtracting(channels.keys)))
        var accepted: [PushWork] = []
        var dueMailboxes: [EmailStore.PushSubscription] = []
        let now = self.dependencies.now()
        for item in notifications.value {
            if let id = item.subscriptionId, let mailbox = mailboxes[id], (mailbox.expiresAt ?? .distantPast) > now,
                PushSecret.matches(item.clientState, stored: mailbox.secretHash)
            {
                self.dependencies.metrics.webhookDelivery(provider: CalendarProviderKind.outlook.oauthClientName, accepted: true)
                if !dueMailboxes.contains(mailbox) { dueMailboxes.append(mailbox) }
                continue
            }
            guard let id = item.subscriptionId, let channel = channels[id], channel.isLive(at: now),
                PushSecret.matches(item.clientState, stored: channel.tokenHash)
            else {
                self.dependencies.metrics.webhookDelivery(provider: CalendarProviderKind.outlook.oauthClientName, accepted: false)
                continue
            }
            self.dependencies.metrics.webhookDelivery(provider: CalendarProviderKind.outlook.oauthClientName, accepted: true)
            let action: PushWork.Action =
                switch item.lifecycleEvent {
                case "reauthorizationRequired": .reauthorize
                case "subscriptionRemoved": .recreate
                case "missed": .missed
                default: .changed
                }
            accepted.append(PushWork(channel: channel, externalID: id, action: action))
        }
        guard !accepted.isEmpty || !dueMailboxes.isEmpty || notifications.value.isEmpty else {
            throw APIError(.unauthorized, code: "invalid_client_state", message: "no notification matched a live subscription")
        }
        // A mailbox's notification only marks it due: its folders' delta links stay the truth.
        let mail = EmailStore(database: self.dependencies.database)
        for mailbox in dueMailboxes {
            try await mail.requestSync(account: mailbox.account, as: mailbox.owner, role: .worker)
        }
        // Answer now; the work happens after (inline only when the queue is closed for shutdown).
        for work in accepted where !self.queue.enqueue(work) {
            await PushWorkService.perform(work, dependencies: self.dependencies)
        }
        return Response(status: .accepted)
    }

    /// The body as Graph's notification collection: nil when there is none (empty), else 415
    /// unless JSON, 413 when too large, 400 unless `{"value":[…]}`.
    private func decodeGraph(_ request: Request) async throws -> GraphNotifications? {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.maxGraphBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge
        }
        if buffer.readableBytes == 0 { return nil }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else { throw APIError.unsupportedMediaType }
        do {
            return try JSONDecoder().decode(GraphNotifications.self, from: Data(buffer: buffer))
        } catch {
            throw APIError.badRequest("invalid_notification", "the body must be {\"value\":[…]} of Graph notifications")
        }
    }
}

extension HTTPField.Name {
    static let googChannelID = HTTPField.Name("X-Goog-Channel-ID")!
    static let googChannelToken = HTTPField.Name("X-Goog-Channel-Token")!
    static let googResourceState = HTTPField.Name("X-Goog-Resource-State")!
    static let googResourceID = HTTPField.Name("X-Goog-Resource-ID")!
}
