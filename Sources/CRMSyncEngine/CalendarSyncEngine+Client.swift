import CRMSyncDatabase
import CRMSyncProviders
import Foundation
import Logging
import PostgresClient

extension CalendarSyncEngine {
    /// The provider client for `account`, with tokens read from (and refreshed tokens stored
    /// back into) the database, encrypted, in the owner's worker session.
    func client(for account: SyncAccount) async throws -> any CalendarClient {
        let store = CalendarAccountStore(database: self.database)
        let stored: CalendarAccountStore.Tokens
        do {
            stored = try await store.tokens(account: account.id, for: account.owner)
        } catch let error as PostgresError where error.kind == .server {
            throw SyncError.notConnected(account.id, status: account.connectionStatus)
        }
        let registration = try await store.oauthClient(provider: account.oauthProviderName, for: account.owner)
        let oauth = OAuthClient(
            provider: account.provider,
            credentials: OAuthCredentials(clientId: registration.clientID, clientSecret: registration.clientSecret),
            endpoints: self.endpoints, http: self.http)
        let scope = OAuthFeature.scopes(for: [.calendar], provider: account.provider).joined(separator: " ")
        let logger = self.logger
        let tokens = OAuthTokenProvider(
            tokens: TokenSet(accessToken: stored.accessToken, refreshToken: stored.refreshToken, expiresAt: stored.expiresAt, scope: scope),
            client: oauth,
            onRefresh: { fresh in
                do {
                    try await store.storeTokens(
                        .init(accessToken: fresh.accessToken, refreshToken: fresh.refreshToken, expiresAt: fresh.expiresAt),
                        account: account.id, for: account.owner)
                } catch {
                    logger.error("refreshed tokens could not be stored", metadata: ["error": "\(error)"])
                }
            })
        switch account.provider {
        case .google:
            return GoogleCalendarClient(
                calendarId: account.calendarID, endpoints: self.endpoints, tokens: tokens, http: self.http, listing: self.listing)
        case .outlook:
            return GraphCalendarClient(
                calendarId: account.calendarID == "primary" ? nil : account.calendarID, endpoints: self.endpoints,
                tokens: tokens, http: self.http, listing: self.listing)
        }
    }
}
