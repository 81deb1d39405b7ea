import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import CRMSyncServer
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// A calendar account connected against the sandbox for the push tests, and what they poke.
struct PushAccount: Sendable {
    let id: UUID
    let owner: Identity
    let email: String
    let provider: CalendarProviderKind
    let refreshToken: String?

    var target: PushChannelManager.Target {
        PushChannelManager.Target(account: self.id, owner: self.owner, provider: self.provider, calendarID: "primary")
    }
}

extension ServerHarness {
    /// The push tests' server: no background renewal (the tests drive it with the clock).
    static func withPush<T>(_ label: String, worker: Bool = false, pollInterval: Duration = .seconds(60),
                            _ body: (ServerHarness) async throws -> T) async throws -> T {
        try await Self.with(label, worker: worker, configure: {
            $0.push.runRenewal = false
            $0.workerPollInterval = pollInterval
        }, body)
    }

    /// A new member of Acme whose `provider` calendar is connected through real OAuth against
    /// the sandbox (tokens stored encrypted, as the connect flow does).
    func connectPushAccount(_ provider: CalendarProviderKind) async throws -> PushAccount {
        let user = UUID()
        let admin = try await self.database.adminConnection()
        try await admin.query(
            "insert into public.user_organizations (organization_id, user_id, role) values (\(Demo.acme), \(user), 'member')")
        let email = "push-\(user.uuidString.prefix(8).lowercased())@acme.example"
        let client = OAuthClient(
            provider: provider, credentials: OAuthCredentials(clientId: "sandbox-client", clientSecret: "sandbox-secret"),
            endpoints: .sandbox(self.sandbox))
        let redirect = URL(string: "http://127.0.0.1:9/callback")!
        let authorization = client.authorizationRequest(
            redirectURI: redirect, scopes: OAuthFeature.scopes(for: [.calendar], provider: provider), loginHint: email)
        let response = try await self.get(authorization.url)
        let location = try #require(response.header("Location").flatMap(URL.init(string:)))
        let code = try #require(URLComponents(url: location, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "code" }?.value)
        let tokens = try await client.exchange(code: code, codeVerifier: authorization.pkce.verifier, redirectURI: redirect)
        let owner = Identity(userID: user, organizationID: Demo.acme)
        let id = try await self.dependencies.accounts.connect(
            owner, provider: provider.rawValue, email: email,
            tokens: .init(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt))
        return PushAccount(id: id, owner: owner, email: email, provider: provider, refreshToken: tokens.refreshToken)
    }

    var push: PushChannelManager { PushChannelManager(dependencies: self.dependencies) }

    /// The account's channels, oldest first: (id, external id, status).
    func channels(of account: PushAccount) async throws -> [(id: UUID, external: String, status: String)] {
        let admin = try await self.database.adminConnection()
        return try await admin.query(
            """
            select id, external_id, status from public.calendar_push_channels
             where calendar_account_id = \(account.id) order by created_at, id
            """
        ).rows.map { (try $0.decode(UUID.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(String.self, at: 2)) }
    }

    /// md5 of every push channel row (to prove a refused webhook changed nothing).
    func channelFingerprint() async throws -> String {
        try await self.scalar(
            "select md5(coalesce(string_agg(c::text, '|' order by c.id), '')) from public.calendar_push_channels c") ?? ""
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes.
    func eventually(_ timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    /// Moves both clocks on: the service's and the sandbox's.
    func advanceClocks(days: Double) async throws {
        self.clock.advance(by: days * 86_400)
        try await self.sandboxControl("POST", "clock/advance", ["seconds": days * 86_400])
    }

    /// A Google event created in the sandbox as the user would (fires the channel's webhooks).
    func createSandboxEvent(_ account: PushAccount, title: String) async throws {
        let start = self.clock.now().addingTimeInterval(86_400)
        let format = ISO8601DateFormatter()
        switch account.provider {
        case .google:
            try await self.sandboxControl(
                "POST", "google/users/\(account.email)/calendars/primary/events",
                ["summary": title, "start": ["dateTime": format.string(from: start)],
                 "end": ["dateTime": format.string(from: start.addingTimeInterval(3600))]])
        case .outlook:
            try await self.sandboxControl(
                "POST", "microsoft/users/\(account.email)/events",
                ["subject": title, "start": ["dateTime": format.string(from: start), "timeZone": "UTC"],
                 "end": ["dateTime": format.string(from: start.addingTimeInterval(3600)), "timeZone": "UTC"]])
        }
    }
}
