import CRMSyncDatabase
import CRMSyncProviders
import Foundation
import Logging

/// Gmail and Graph mail clients for one account, with its OAuth tokens read from (and refreshed
/// tokens stored back into) the database, encrypted, in the owner's worker session.
public struct MailAPIAccess: Sendable {
    public var database: TenantDatabase
    public var endpoints: ProviderEndpoints
    public var http: ProviderHTTPClient
    /// The Pub/Sub topic Gmail pushes to (`projects/…/topics/…`, `CRMSYNC_GMAIL_PUSH_TOPIC`);
    /// nil = no Gmail push: accounts are polled.
    public var gmailPushTopic: String?
    /// Where Graph delivers Outlook mail notifications (the service's `/webhooks/microsoft`);
    /// nil = no subscriptions: accounts are polled.
    public var graphNotificationURL: URL?
    public var logger: Logger

    public init(
        database: TenantDatabase, endpoints: ProviderEndpoints = ProviderEndpoints(), http: ProviderHTTPClient = ProviderHTTPClient(),
        gmailPushTopic: String? = nil, graphNotificationURL: URL? = nil, logger: Logger = Logger(label: "crmsync.mail")
    ) {
        self.database = database
        self.endpoints = endpoints
        self.http = http
        self.gmailPushTopic = gmailPushTopic
        self.graphNotificationURL = graphNotificationURL
        self.logger = logger
    }

    /// A watch is renewed once it is a day old (it lasts 7 days; Google advises daily renewal).
    static let gmailWatchRenewal: TimeInterval = 6 * 24 * 3600
    /// A Graph subscription is asked for 3 days and replaced when less than a day is left.
    static let graphSubscriptionLifetime: TimeInterval = 3 * 24 * 3600
    static let graphSubscriptionRenewal: TimeInterval = 24 * 3600

    /// The account's access tokens, refreshed when they expire; a refresh is stored at once.
    func tokens(account: UUID, provider: APIMailProvider, owner: Identity) async throws -> OAuthTokenProvider {
        let store = EmailStore(database: self.database)
        let secrets = try await store.secrets(of: account, as: owner)
        guard let accessToken = secrets.accessToken else { throw MailSyncError.missingSecret }
        let registration = try await CalendarAccountStore(database: self.database)
            .oauthClient(provider: provider.oauthClientName, for: owner)
        let oauth = OAuthClient(
            provider: provider.oauthProvider,
            credentials: OAuthCredentials(clientId: registration.clientID, clientSecret: registration.clientSecret),
            endpoints: self.endpoints, http: self.http)
        let logger = self.logger
        return OAuthTokenProvider(
            tokens: TokenSet(
                accessToken: accessToken, refreshToken: secrets.refreshToken, expiresAt: secrets.expiresAt ?? .distantPast,
                scope: provider.scopes.joined(separator: " ")),
            client: oauth,
            onRefresh: { fresh in
                do {
                    try await store.storeTokens(
                        account: account, accessToken: fresh.accessToken, refreshToken: fresh.refreshToken,
                        expiresAt: fresh.expiresAt, as: owner)
                } catch {
                    logger.error("refreshed mail tokens could not be stored", metadata: ["error": "\(error)"])
                }
            })
    }

    func gmail(_ tokens: any AccessTokenProvider) -> GmailMailClient {
        GmailMailClient(endpoints: self.endpoints, tokens: tokens, http: self.http)
    }

    func graph(_ tokens: any AccessTokenProvider) -> GraphMailClient {
        GraphMailClient(endpoints: self.endpoints, tokens: tokens, http: self.http)
    }
}
