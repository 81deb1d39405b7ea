import CRMSyncDatabase
import CRMSyncProviders
import Foundation
import Logging

/// Provider clients for one calendar account, with its tokens read from (and refreshed tokens
/// stored back into) the database, encrypted, in the owner's worker session. The sync engine
/// and the push channel manager both build their clients here.
public struct AccountClients: Sendable {
    public var database: TenantDatabase
    public var endpoints: ProviderEndpoints
    public var http: ProviderHTTPClient
    public var listing: ListingOptions
    public var logger: Logger

    public init(
        database: TenantDatabase, endpoints: ProviderEndpoints, http: ProviderHTTPClient,
        listing: ListingOptions = ListingOptions(), logger: Logger
    ) {
        self.database = database
        self.endpoints = endpoints
        self.http = http
        self.listing = listing
        self.logger = logger
    }

    /// The OAuth client registered for the account's provider (the organization's or the platform's).
    public func oauthClient(provider: CalendarProviderKind, owner: Identity) async throws -> OAuthClient {
        let store = CalendarAccountStore(database: self.database)
        let registration = try await store.oauthClient(provider: provider.oauthClientName, for: owner)
        return OAuthClient(
            provider: provider,
            credentials: OAuthCredentials(clientId: registration.clientID, clientSecret: registration.clientSecret),
            endpoints: self.endpoints, http: self.http)
    }

    /// Access tokens of the account, refreshed when they expire; refreshed tokens are stored.
    public func tokens(account: UUID, provider: CalendarProviderKind, owner: Identity) async throws -> OAuthTokenProvider {
        let store = CalendarAccountStore(database: self.database)
        let stored = try await store.tokens(account: account, for: owner)
        let oauth = try await self.oauthClient(provider: provider, owner: owner)
        let scope = OAuthFeature.scopes(for: [.calendar], provider: provider).joined(separator: " ")
        let logger = self.logger
        return OAuthTokenProvider(
            tokens: TokenSet(accessToken: stored.accessToken, refreshToken: stored.refreshToken, expiresAt: stored.expiresAt, scope: scope),
            client: oauth,
            onRefresh: { fresh in
                do {
                    try await store.storeTokens(
                        .init(accessToken: fresh.accessToken, refreshToken: fresh.refreshToken, expiresAt: fresh.expiresAt),
                        account: account, for: owner)
                } catch {
                    logger.error("refreshed tokens could not be stored", metadata: ["error": "\(error)"])
                }
            })
    }

    /// Google Calendar for `calendarID`.
    public func google(calendarID: String, tokens: any AccessTokenProvider) -> GoogleCalendarClient {
        GoogleCalendarClient(calendarId: calendarID, endpoints: self.endpoints, tokens: tokens, http: self.http, listing: self.listing)
    }

    /// Microsoft Graph for `calendarID` (`primary`: the default calendar).
    public func graph(calendarID: String, tokens: any AccessTokenProvider) -> GraphCalendarClient {
        GraphCalendarClient(
            calendarId: calendarID == "primary" ? nil : calendarID, endpoints: self.endpoints, tokens: tokens, http: self.http,
            listing: self.listing)
    }
}
