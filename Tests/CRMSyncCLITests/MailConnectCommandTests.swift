@testable import CRMSyncDatabase
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// `crmsync mail connect --provider gmail|outlook` end to end: the built executable, the
/// sandbox's OAuth over loopback HTTP asking for the mail scopes, and a scratch database.
@Suite("crmsync mail connect through OAuth")
struct MailConnectCommandTests {
    @Test("gmail and outlook mailboxes connect unattended; the address is the provider's; tokens land encrypted",
          arguments: [("gmail", "inbox.person@gmail.example"), ("microsoft", "inbox.person@outlook.example")])
    func connects(_ provider: String, _ email: String) async throws {
        try await TestDatabase.with("mail_connect_\(provider)") { database in
            try await ConnectCommandTests.registerSandboxClients(database)
            try await SandboxServer.run { sandbox in
                let identity = try await database.addMember()
                let user = identity.userID
                let run = try await CommandLineRunner.withEnvironment(for: database) { base in
                    var environment = base
                    environment["CRMSYNC_SANDBOX_URL"] = sandbox.absoluteString
                    return try await CommandLineRunner.run(
                        [
                            "mail", "connect", "--provider", provider, "--user", user.uuidString, "--org", Demo.acme.uuidString,
                            "--email", email, "--timeout", "20",
                        ], environment: environment)
                }
                #expect(run.status == 0, "\(run.output)")
                #expect(run.output.contains("connected \(email): account "), "\(run.output)")
                let stored = provider == "gmail" ? "gmail" : "outlook"
                let row = try #require(try await database.tenant().withSession(identity) { connection in
                    try await connection.query(
                        "select id, connection_status from public.email_accounts where provider = \(stored) and email = \(email)"
                    ).first
                })
                #expect(try row.decode(String.self, at: 1) == "connected")
                let id = try row.decode(UUID.self, at: 0)
                let secrets = try await EmailStore(database: database.tenant()).secrets(of: id, as: identity)
                let token = try #require(secrets.accessToken)
                #expect(secrets.refreshToken?.isEmpty == false && secrets.password == nil)
                #expect(!run.output.contains(token), "the access token was printed")
            }
        }
    }

    @Test("an unknown mail provider is refused in one line")
    func unknownProvider() async throws {
        try await TestDatabase.with("mail_connect_bad") { database in
            try await CommandLineRunner.withEnvironment(for: database) { environment in
                let run = try await CommandLineRunner.runSeparated(
                    ["mail", "connect", "--provider", "yahoo", "--user", UUID().uuidString, "--org", Demo.acme.uuidString],
                    environment: environment)
                #expect(run.status != 0)
                #expect(run.stderr.contains("--provider must be gmail, outlook, apple or imap"), "\(run.stderr)")
            }
        }
    }
}
