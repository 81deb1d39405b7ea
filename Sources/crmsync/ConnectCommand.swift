import ArgumentParser
import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import PostgresClient

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `crmsync connect`: connects a calendar account from the command line with the native-app
/// loopback flow (RFC 8252).
struct ConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Connect a Google or Outlook calendar account for a user, through OAuth in a browser.",
        discussion: """
            Prints the authorization URL and waits for the provider to redirect to a one-shot listener on \
            127.0.0.1. The URL is also requested once without a browser: an authorization endpoint that \
            redirects straight back (the sandbox does) completes the flow unattended. Ends with the account id \
            and the account's email as the provider reports it.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "google, or outlook (also spelled microsoft).")
    var provider: String

    @Option(help: "The CRM user (uuid) who owns the account.")
    var user: String

    @Option(help: "The organization (uuid) the account belongs to.")
    var org: String

    @Option(help: "The address to suggest on the provider's sign-in page.")
    var loginHint: String?

    @Option(help: "The provider calendar to sync.")
    var calendarId: String = "primary"

    @Option(help: "Seconds to wait for the authorization.")
    var timeout: Int = 300

    func run() async throws {
        try await reportingErrors {
            let provider = try ProviderArgument.calendarProvider(self.provider)
            guard let user = UUID(uuidString: self.user), let org = UUID(uuidString: self.org) else {
                throw ValidationError("--user and --org must be uuids")
            }
            guard self.timeout > 0 else { throw ValidationError("--timeout must be positive") }
            let identity = Identity(userID: user, organizationID: org)
            let database = TenantDatabase(
                pool: PostgresPool(configuration: try self.options.databaseSettings.app, maxConnections: 1),
                secretKey: try self.options.requiredSecretKey())
            let store = CalendarAccountStore(database: database)
            let flow = try await ConnectFlow.registered(
                provider: provider, for: identity, database: database, options: self.options, loginHint: self.loginHint)
            let listenerLogger = ConnectFlow.listenerLogger(self.options)
            let tokens = try await flow.authorize(timeout: .seconds(self.timeout), logger: listenerLogger)
            let email = try await flow.accountEmail(tokens: tokens)
            let account = try await store.connect(
                identity, provider: provider.storedName, email: email, calendarID: self.calendarId,
                tokens: .init(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt))
            print("connected \(provider.rawValue) calendar account \(account.uuidString.lowercased()) (\(email))")
        }
    }
}
