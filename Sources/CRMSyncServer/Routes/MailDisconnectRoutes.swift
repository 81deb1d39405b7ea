import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import Hummingbird

/// `DELETE /v1/mail/accounts/:account?delete_mail=`: disconnect one of the caller's mailboxes.
///
/// The provider side goes first, while the secrets still exist: a Gmail grant is revoked at
/// Google's revoke endpoint. Microsoft has no endpoint that revokes one grant (only all of a
/// user's sessions), and an IMAP password is simply forgotten. A provider failure is logged and
/// does not stop the local disconnect (`public.disconnect_email_account`), which wipes the
/// secrets and the push registration, stops syncing, fails mail still queued and deletes the
/// imported mail only when `delete_mail=true` (default: kept). The answer shows the account
/// one last time (status `disconnected`); from then on it is a 404 until connected again.
struct MailDisconnectRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on group: RouterGroup<ServerRequestContext>) {
        group.delete("mail/accounts/:account", use: self.disconnect)
    }

    struct Disconnected: Encodable {
        var account: MailAccountView
        var messagesDeleted: Int
        var outboxFailed: Int
        /// `revoked`, `not_supported` (Microsoft, IMAP) or `failed` (logged; the secrets are gone anyway).
        var providerGrant: String

        enum CodingKeys: String, CodingKey {
            case account
            case messagesDeleted = "messages_deleted"
            case outboxFailed = "outbox_failed"
            case providerGrant = "provider_grant"
        }
    }

    @Sendable func disconnect(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.requireUUID("account")
        let deleteMail = try DisconnectRoutes.flag(request.uri.queryParameters.get("delete_mail"), name: "delete_mail")
        let store = EmailAccountStore(database: self.dependencies.database)

        // The caller's own connected mailbox, or a 404 before anything happens.
        let current = try await MailAccountRoutes.notFound { try await store.record(id, for: identity) }
        let grant = await self.revoke(account: id, provider: current.provider, owner: identity)
        let result = try await MailAccountRoutes.notFound { try await store.disconnect(id, deleteMail: deleteMail, for: identity) }
        let account = try await MailAccountRoutes.notFound { try await store.record(id, includingDisconnected: true, for: identity) }
        context.logger.info(
            "mail account disconnected",
            metadata: ["account": .string(id.lowercased), "delete_mail": .stringConvertible(deleteMail), "provider_grant": .string(grant)])
        return try JSONCoding.response(
            Disconnected(
                account: MailAccountView(account), messagesDeleted: result.messagesDeleted, outboxFailed: result.outboxFailed,
                providerGrant: grant))
    }

    /// Revokes a Gmail grant with the stored refresh token (or the access token when there is
    /// none). Failures are logged only.
    private func revoke(account: UUID, provider: String, owner: Identity) async -> String {
        guard provider == "gmail" else { return "not_supported" }
        do {
            let secrets = try await EmailStore(database: self.dependencies.database).secrets(of: account, as: owner)
            guard let token = secrets.refreshToken ?? secrets.accessToken else { return "not_supported" }
            let clients = AccountClients(
                database: self.dependencies.database, endpoints: self.dependencies.endpoints, http: self.dependencies.http,
                logger: self.dependencies.logger)
            let oauth = try await clients.oauthClient(provider: .google, owner: owner)
            return try await oauth.revoke(token: token) ? "revoked" : "not_supported"
        } catch {
            self.dependencies.logger.warning(
                "revoking the mail grant failed; disconnecting locally anyway",
                metadata: ["account": "\(account.uuidString.lowercased())", "error": "\(PushChannelManager.describe(error))"])
            return "failed"
        }
    }
}
