import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import Hummingbird

/// `DELETE /v1/calendar/accounts/:account?remove_mappings=`: disconnect one of the caller's
/// calendar accounts. The provider side goes first, while the tokens still exist: channels and
/// subscriptions are stopped and the grant is revoked (Google; Microsoft has no per-grant
/// revocation). A provider failure is logged and does not stop the local disconnect, which
/// then wipes the tokens, stops syncing, marks the channels stopped and removes the mappings
/// only when asked. Appointments stay. The answer shows the account one last time (status
/// `disconnected`); from then on it is gone from the API (404 on every route, absent from
/// the list) until it is connected again, while its row and history stay in the database.
struct DisconnectRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on group: RouterGroup<ServerRequestContext>) {
        group.delete("calendar/accounts/:account", use: self.disconnect)
    }

    @Sendable func disconnect(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.requireUUID("account")
        let removeMappings = try Self.flag(request.uri.queryParameters.get("remove_mappings"), name: "remove_mappings")

        // The caller's own connected account, or a 404 before anything happens (a disconnected
        // account is gone: disconnecting it again is a 404 too).
        let current = AccountView(try await AccountRoutes.notFound { try await self.dependencies.accounts.record(id, for: identity) })
        if let kind = CalendarProviderKind(storedName: current.provider) {
            let target = PushChannelManager.Target(account: id, owner: identity, provider: kind, calendarID: current.calendarID)
            await PushChannelManager(dependencies: self.dependencies).stopAll(target)
            await self.revoke(target)
        }
        _ = try await PushChannelStore(database: self.dependencies.database)
            .disconnect(account: id, removeMappings: removeMappings, as: identity)
        let account = try await AccountRoutes.notFound {
            try await self.dependencies.accounts.record(id, includingDisconnected: true, for: identity)
        }
        return try JSONCoding.response(AccountView(account))
    }

    /// Revokes the grant with the stored refresh token (or the access token when there is
    /// none). Failures are logged only.
    private func revoke(_ target: PushChannelManager.Target) async {
        let clients = AccountClients(
            database: self.dependencies.database, endpoints: self.dependencies.endpoints, http: self.dependencies.http,
            logger: self.dependencies.logger)
        do {
            let tokens = try await self.dependencies.accounts.tokens(account: target.account, for: target.owner)
            let oauth = try await clients.oauthClient(provider: target.provider, owner: target.owner)
            try await oauth.revoke(token: tokens.refreshToken ?? tokens.accessToken)
        } catch {
            self.dependencies.logger.warning(
                "revoking the grant failed; disconnecting locally anyway",
                metadata: ["account": "\(target.account.uuidString.lowercased())", "error": "\(PushChannelManager.describe(error))"])
        }
    }

    static func flag(_ text: String?, name: String) throws -> Bool {
        switch text?.lowercased() {
        case nil, "", "false", "0": false
        case "true", "1": true
        default: throw APIError.badRequest("invalid_parameter", "\(name) must be true or false")
        }
    }
}
