import ArgumentParser
import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation

/// `crmsync oauth-client set`: registers an OAuth client; the secret is stored encrypted.
struct OAuthClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oauth-client",
        abstract: "Manage the OAuth client registrations (client id and encrypted secret) per provider.",
        subcommands: [Set.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register or replace the OAuth client of a provider. The secret is read from "
                + "$CRMSYNC_OAUTH_CLIENT_SECRET or, when unset, from the first line of standard input "
                + "(never from the command line, where other users could see it).")

        @OptionGroup var options: GlobalOptions

        @Option(help: "google, or microsoft (also spelled outlook).")
        var provider: String

        @Option(help: "The client id the provider issued.")
        var clientId: String

        @Option(help: "The organization whose own app this is (default: the platform's app).")
        var org: String?

        func run() async throws {
            try await reportingErrors {
                let provider = try ProviderArgument.calendarProvider(self.provider).oauthClientName
                let organization = try self.org.map { text in
                    guard let id = UUID(uuidString: text) else { throw ValidationError("--org must be a uuid") }
                    return id
                }
                let secret = self.options.environment["CRMSYNC_OAUTH_CLIENT_SECRET"] ?? readLine(strippingNewline: true) ?? ""
                guard !secret.isEmpty else { throw ValidationError("no client secret given") }
                let key = try self.options.requiredSecretKey()
                let id = try await self.options.withAdminConnection { connection in
                    try await OAuthClientRegistry.set(
                        provider: provider, clientID: self.clientId, clientSecret: secret,
                        organization: organization, key: key, on: connection)
                }
                print("oauth client \(id.uuidString.lowercased()) registered for \(provider)")
            }
        }
    }
}
