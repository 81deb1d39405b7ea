import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// One connected calendar account on a scratch database and a live sandbox, with the engine
/// that syncs it and helpers to change either side the way people do: appointments through
/// the CRM's tables in the owner's session, events through the sandbox's control API.
struct SyncHarness: Sendable {
    let database: TestDatabase
    let sandbox: Sandbox
    let tenant: TenantDatabase
    let engine: CalendarSyncEngine
    let sleeper: TestSleeper
    let owner: Identity
    let email: String
    let provider: CalendarProviderKind
    let account: UUID

    /// A scratch database, a sandbox, a new member of Acme and their account connected through
    /// real OAuth against the sandbox.
    static func with<T>(
        _ label: String, provider: CalendarProviderKind = .google, strategy: String = "manual", pageSize: Int = 50,
        _ body: (SyncHarness) async throws -> T
    ) async throws -> T {
        try await TestDatabase.with(label) { database in
            try await Sandbox.run { sandbox in
                let harness = try await self.connect(database, sandbox: sandbox, provider: provider, strategy: strategy, pageSize: pageSize)
                return try await body(harness)
            }
        }
    }

    static func connect(
        _ database: TestDatabase, sandbox: Sandbox, provider: CalendarProviderKind, strategy: String, pageSize: Int,
        user: UUID = UUID(), organization: UUID = Demo.acme, email: String? = nil
    ) async throws -> SyncHarness {
        let admin = try await database.adminConnection()
        try await database.registerSandboxOAuthClients()
        let owner = try await database.addMember(to: organization, user: user)
        let email = email ?? "person-\(user.uuidString.prefix(8).lowercased())@acme.example"
        let tokens = try await sandbox.authorize(provider, email: email)
        let tenant = database.tenant(maxConnections: 3)
        let account = try await CalendarAccountStore(database: tenant).connect(
            owner, provider: provider.rawValue, email: email,
            tokens: .init(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt))
        try await admin.query("update public.calendar_accounts set conflict_strategy = \(strategy) where id = \(account)")
        let sleeper = TestSleeper()
        let http = ProviderHTTPClient(
            transport: URLSessionTransport(defaultTimeout: .seconds(10)), timeout: .seconds(10), sleeper: sleeper,
            jitter: SeededJitter(seed: 5))
        let engine = CalendarSyncEngine(
            database: tenant, endpoints: sandbox.endpoints, http: http, listing: ListingOptions(pageSize: pageSize))
        return SyncHarness(
            database: database, sandbox: sandbox, tenant: tenant, engine: engine, sleeper: sleeper, owner: owner, email: email,
            provider: provider, account: account)
    }

    /// One sync run; fails the test when the run did not complete.
    @discardableResult
    func sync(full: Bool = false, expect status: SyncReport.Status? = nil) async throws -> SyncReport {
        let report = try await self.engine.sync(account: self.account, as: self.owner, options: SyncOptions(full: full))
        if let status {
            #expect(report.status == status, "\(report.status): \(report.failure ?? "") \(report.errors)")
        } else {
            #expect(report.status != .failed, "\(report.failure ?? "") \(report.errors)")
        }
        return report
    }

    /// Syncs until a run changes nothing (at most `limit` runs); returns the runs.
    @discardableResult
    func syncUntilQuiet(limit: Int = 4) async throws -> [SyncReport] {
        var reports: [SyncReport] = []
        for _ in 0..<limit {
            let report = try await self.sync()
            reports.append(report)
            if report.counts.changedNothing { break }
        }
        return reports
    }

    /// A superuser connection to the scratch database, for looking behind row-level security.
    func admin() async throws -> PostgresConnection {
        try await self.database.adminConnection()
    }
}
