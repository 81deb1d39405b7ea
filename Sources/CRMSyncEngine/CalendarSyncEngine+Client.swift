import CRMSyncDatabase
import CRMSyncProviders
import Foundation
import Logging

extension CalendarSyncEngine {
    /// The provider client for `account`, with tokens read from (and refreshed tokens stored
    /// back into) the database, encrypted, in the owner's worker session.
    func client(for account: SyncAccount) async throws -> any CalendarClient {
        let clients = AccountClients(
            database: self.database, endpoints: self.endpoints, http: self.http, listing: self.listing, logger: self.logger)
        let tokens: OAuthTokenProvider
        do {
            tokens = try await clients.tokens(account: account.id, provider: account.provider, owner: account.owner)
        } catch CalendarAccountError.noTokens, DatabaseError.refused {
            // No tokens, or no longer this owner's account: a person must connect it (again).
            // Any other failure (a wrong key, a busy database) says what it is.
            throw SyncError.notConnected(account.id, status: account.connectionStatus)
        }
        switch account.provider {
        case .google: return clients.google(calendarID: account.calendarID, tokens: tokens)
        case .outlook: return clients.graph(calendarID: account.calendarID, tokens: tokens)
        }
    }
}
