import ArgumentParser
import CRMSyncDatabase
import CRMSyncMail
import CRMSyncProviders
import Foundation

/// `crmsync mail connect --provider gmail|outlook`: the loopback OAuth flow asking to read and
/// send mail, then the account stored with its tokens encrypted and due for its first sync.
/// One person may connect the calendar and the mail of one provider: they are separate grants.
struct MailOAuthConnect {
    let options: GlobalOptions
    let provider: APIMailProvider
    let loginHint: String?
    let timeout: Int

    func run(as identity: Identity) async throws -> (UUID, String) {
        guard self.timeout > 0 else { throw ValidationError("--timeout must be positive") }
        let database = try self.options.tenantDatabase(connections: 1)
        let flow = try await ConnectFlow.registered(
            provider: self.provider.oauthProvider, for: identity, database: database, options: self.options,
            loginHint: self.loginHint, features: [.mailRead, .mailSend])
        let tokens = try await flow.authorize(timeout: .seconds(self.timeout), logger: ConnectFlow.listenerLogger(self.options))
        let email = try await flow.accountEmail(tokens: tokens)
        let id = try await EmailStore(database: database).connect(
            EmailAccountSettings(provider: self.provider.rawValue, email: email),
            secrets: EmailAccountSecrets(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt),
            as: identity)
        return (id, email)
    }
}
