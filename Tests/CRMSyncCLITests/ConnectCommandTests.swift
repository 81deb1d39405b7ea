@testable import CRMSyncDatabase
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `crmsync connect` end to end: the built executable, the sandbox over loopback HTTP, and a
/// scratch database, exactly as an operator would run it.
@Suite("crmsync connect")
struct ConnectCommandTests {
    static func connect(
        _ database: TestDatabase, sandbox: URL, provider: String, user: UUID, org: UUID, email: String
    ) async throws -> CommandLineRunner.Outcome {
        try await CommandLineRunner.withEnvironment(for: database) { base in
            var environment = base
            environment["CRMSYNC_SANDBOX_URL"] = sandbox.absoluteString
            return try await CommandLineRunner.run(
                [
                    "connect", "--provider", provider, "--user", user.uuidString, "--org", org.uuidString,
                    "--login-hint", email, "--timeout", "20",
                ], environment: environment)
        }
    }

    static func registerSandboxClients(_ database: TestDatabase) async throws {
        try await database.registerSandboxOAuthClients()
    }

    @Test("google and outlook accounts connect unattended through the loopback flow; tokens land encrypted")
    func connectsBothProviders() async throws {
        try await TestDatabase.with("connect") { database in
            try await Self.registerSandboxClients(database)
            try await SandboxServer.run { sandbox in
                let newUser = UUID()
                let admin = try await database.adminConnection()
                try await admin.query(
                    "insert into public.user_organizations (organization_id, user_id, role) values (\(Demo.acme), \(newUser), 'member')")
                for (provider, email) in [("google", "new.person@acme.example"), ("outlook", "new.person@acme.onmicrosoft.example")] {
                    let run = try await Self.connect(database, sandbox: sandbox, provider: provider, user: newUser, org: Demo.acme, email: email)
                    #expect(run.status == 0, "\(run.output)")
                    #expect(run.output.contains("connected \(provider) calendar account"))
                    #expect(run.output.contains("(\(email))"))
                    let identity = Identity(userID: newUser, organizationID: Demo.acme)
                    let account = try await database.tenant().withSession(identity) { connection in
                        try await connection.query(
                            "select id, connection_status from public.calendar_accounts where provider = \(provider) and email = \(email)"
                        ).first
                    }
                    let id = try #require(try account?.decode(UUID.self, at: 0))
                    #expect(try account?.decode(String.self, at: 1) == "connected")
                    #expect(run.output.contains(id.uuidString.lowercased()))
                    let tokens = try await CalendarAccountStore(database: database.tenant()).tokens(account: id, for: identity)
                    #expect(!tokens.accessToken.isEmpty)
                    #expect(tokens.refreshToken?.isEmpty == false)
                    #expect(tokens.expiresAt > Date())
                    #expect(!run.output.contains(tokens.accessToken), "the access token was printed")
                }
            }
        }
    }

    @Test("an OAuth client the provider does not know fails at once, naming the HTTP status")
    func unknownClientFailsFast() async throws {
        try await TestDatabase.with("connect_unknown") { database in
            // Globex has its own Google app in the demo data, which the sandbox has never heard of.
            try await SandboxServer.run { sandbox in
                let started = Date()
                let run = try await Self.connect(
                    database, sandbox: sandbox, provider: "google", user: Demo.gina, org: Demo.globex, email: "gina@globex.example")
                #expect(run.status != 0)
                #expect(run.output.contains("answered HTTP 401"), "\(run.output)")
                #expect(Date().timeIntervalSince(started) < 15, "it waited for the timeout")
            }
        }
    }

    @Test("denied consent exits non-zero with a clear message and creates no account")
    func deniedConsent() async throws {
        try await TestDatabase.with("connect_denied") { database in
            try await Self.registerSandboxClients(database)
            try await SandboxServer.run { sandbox in
                var request = URLRequest(url: sandbox.appendingPathComponent("_sandbox/oauth/deny"))
                request.httpMethod = "POST"
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.httpBody = Data(#"{"email":"bob@acme.example","deny":true}"#.utf8)
                let (_, response) = try await URLSession.shared.data(for: request)
                #expect((response as? HTTPURLResponse)?.statusCode ?? 0 < 300)
                let admin = try await database.adminConnection()
                let before = try await admin.query("select count(*) from public.calendar_accounts").first?.decode(Int.self, at: 0)
                let run = try await Self.connect(
                    database, sandbox: sandbox, provider: "google", user: Demo.bob, org: Demo.acme, email: "bob@acme.example")
                #expect(run.status != 0)
                #expect(run.output.contains("did not authorize"), "\(run.output)")
                let after = try await admin.query("select count(*) from public.calendar_accounts").first?.decode(Int.self, at: 0)
                #expect(before == after)
            }
        }
    }

    @Test("oauth-client set and connect both take microsoft and outlook as one provider")
    func providerWordsAreOneMeaning() async throws {
        try await TestDatabase.with("connect_words") { database in
            let set = try await CommandLineRunner.withEnvironment(for: database) { base in
                var environment = base
                environment["CRMSYNC_OAUTH_CLIENT_SECRET"] = "sandbox-secret"
                return try await CommandLineRunner.run(
                    ["oauth-client", "set", "--provider", "outlook", "--client-id", "sandbox-client"], environment: environment)
            }
            #expect(set.status == 0, "\(set.output)")
            #expect(set.output.contains("registered for microsoft"), "\(set.output)")
            try await SandboxServer.run { sandbox in
                let run = try await Self.connect(
                    database, sandbox: sandbox, provider: "microsoft", user: Demo.bob, org: Demo.acme, email: "bob@acme.onmicrosoft.example")
                #expect(run.status == 0, "\(run.output)")
                #expect(run.output.contains("connected outlook calendar account"), "\(run.output)")
            }
        }
    }

    @Test("connecting with no registered OAuth client prints the command that registers one")
    func missingClientSaysHowToFixIt() async throws {
        try await TestDatabase.with("connect_no_client") { database in
            // The demo data registers apps; this installation has none for Microsoft.
            try await database.adminConnection().query("delete from public.oauth_secrets where provider = 'microsoft'")
            try await SandboxServer.run { sandbox in
                let run = try await Self.connect(
                    database, sandbox: sandbox, provider: "outlook", user: Demo.bob, org: Demo.acme, email: "bob@acme.example")
                #expect(run.status != 0)
                #expect(run.output.contains("crmsync oauth-client set --provider microsoft"), "\(run.output)")
                #expect(!run.output.contains("SQLSTATE"), "\(run.output)")
            }
        }
    }

    @Test("an unreachable authorization endpoint fails at once with the connection error")
    func unreachableLoginFailsFast() async throws {
        try await TestDatabase.with("connect_unreachable") { database in
            try await Self.registerSandboxClients(database)
            let started = Date()
            // Port 1 on loopback: nothing listens, the connection is refused.
            let run = try await Self.connect(
                database, sandbox: URL(string: "http://127.0.0.1:1")!, provider: "google", user: Demo.bob, org: Demo.acme,
                email: "bob@acme.example")
            #expect(run.status != 0)
            #expect(run.output.contains("cannot reach the authorization endpoint 127.0.0.1"), "\(run.output)")
            #expect(Date().timeIntervalSince(started) < 15, "it waited for the timeout")
        }
    }
}
