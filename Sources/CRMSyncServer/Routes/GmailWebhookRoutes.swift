import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import CRMSyncSupport
import Foundation
import Hummingbird
import NIOCore

/// `POST /webhooks/gmail`: Gmail's Pub/Sub push (`users.watch`).
///
/// Pub/Sub posts to the endpoint the operator registered on the subscription; crmsync puts a
/// secret in that URL (`?token=`, `CRMSYNC_GMAIL_PUSH_TOKEN`) and refuses any push without it,
/// compared in constant time, before reading anything else. A verified push only marks the
/// mailbox's accounts due: the stored historyId stays the truth, the pushed one is a hint.
/// Without the setting the route does not exist (404), as Gmail push is then not in use.
struct GmailWebhookRoutes: Sendable {
    let dependencies: ServerDependencies

    /// Pub/Sub's push body is small (an address and a history id, base64 in JSON).
    static let maxBodyBytes = 16 * 1024

    func register(on router: Router<ServerRequestContext>) {
        router.post("webhooks/gmail", use: self.gmail)
    }

    @Sendable func gmail(_ request: Request, context: ServerRequestContext) async throws -> Response {
        do {
            let response = try await self.handle(request)
            self.dependencies.metrics.webhookDelivery(provider: "gmail", accepted: true)
            return response
        } catch {
            self.dependencies.metrics.webhookDelivery(provider: "gmail", accepted: false)
            throw error
        }
    }

    private func handle(_ request: Request) async throws -> Response {
        guard let secret = self.dependencies.configuration.gmailPushToken else { throw APIError.notFound("route") }
        let presented = request.uri.queryParameters["token"].map(String.init)
        guard PushSecret.matches(presented, stored: SHA256.hash(Array(secret.utf8))) else {
            throw APIError(.unauthorized, code: "invalid_push_token", message: "the push does not carry this deployment's token")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge
        }
        let push: GmailPushNotification
        do {
            push = try GmailPushNotification.parse(Data(buffer: buffer))
        } catch {
            throw APIError.badRequest("invalid_notification", "the body is not a Gmail Pub/Sub push")
        }
        guard !push.emailAddress.isEmpty, push.emailAddress.count <= 320, !push.emailAddress.unicodeScalars.contains("\u{0}") else {
            throw APIError.badRequest("invalid_notification", "the push names no mailbox")
        }
        let store = EmailStore(database: self.dependencies.database)
        for (account, owner) in try await store.gmailPushAccounts(email: push.emailAddress) {
            try await store.requestSync(account: account, as: owner, role: .worker)
        }
        // Pub/Sub redelivers anything but a 2xx; a push for a mailbox not (or no longer) watched
        // here is acknowledged too, so it stops.
        return Response(status: .noContent)
    }
}
