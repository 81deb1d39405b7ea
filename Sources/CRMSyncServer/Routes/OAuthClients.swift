import CRMSyncDatabase
import CRMSyncProviders
import Foundation
import CRMSyncEngine

/// The OAuth client for a provider in an organization (its own registration, else the
/// platform's), over the service's provider endpoints and HTTP stack.
struct OAuthClients: Sendable {
    let dependencies: ServerDependencies

    /// Throws a 503 `provider_not_configured` when no client is registered for the provider.
    func client(for provider: CalendarProviderKind, identity: Identity) async throws -> OAuthClient {
        let registration: (clientID: String, clientSecret: String)
        do {
            registration = try await self.dependencies.accounts.oauthClient(
                provider: provider.oauthClientName, for: identity)
        } catch CalendarAccountError.oauthClientMissing {
            throw APIError(.serviceUnavailable, code: "provider_not_configured",
                           message: "no OAuth client is registered for \(provider.rawValue); see `crmsync oauth-client set`")
        }
        return OAuthClient(
            provider: provider,
            credentials: OAuthCredentials(clientId: registration.clientID, clientSecret: registration.clientSecret),
            endpoints: self.dependencies.endpoints, http: self.dependencies.http)
    }
}
