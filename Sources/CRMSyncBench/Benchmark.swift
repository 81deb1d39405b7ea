import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import Logging
import PostgresClient

/// The figures `crmsync-bench` measures, side by side, in one run on one database.
struct Benchmark {
    /// Where the benchmark's own tables live; created at the start, dropped at the end.
    static let schema = "crmsync_bench"

    let settings: DatabaseSettings
    let key: SecretKey
    let events: Int
    let say: @Sendable (String) -> Void

    struct Figures: Codable {
        var import_vs_copy_ratio = 0.0
        /// The bare writes' time over the import's (1 would be an import that costs nothing
        /// beyond the writes the schema requires).
        var import_vs_writes_ratio = 0.0
        var naive_speedup = 0.0
        var incremental_provider_requests = 0
        var incremental_db_roundtrips = 0
        var incremental_size_ratio = 0.0
        var e2e_events_per_second = 0.0
        var e2e_http_share = 0.0
        var detail: [String: Double] = [:]
    }

    func run() async throws -> Figures {
        try await Self.withFixture(self.settings) { fixture, admin in
            var figures = Figures()
            try await self.measureImport(fixture, admin: admin, into: &figures)
            try await self.measureSandbox(fixture, admin: admin, into: &figures)
            return figures
        }
    }

    /// Runs `body` with a fresh schema and throwaway organization, removed afterwards whatever
    /// happens (a schema left by a run that was killed goes first).
    static func withFixture<T>(
        _ settings: DatabaseSettings, _ body: (BenchmarkFixture, PostgresConnection) async throws -> T
    ) async throws -> T {
        let admin = try await PostgresConnection.connect(settings.admin)
        try await admin.execute("drop schema if exists \(Self.schema) cascade; create schema \(Self.schema)")
        let fixture = try await BenchmarkFixture.create(on: admin)
        do {
            let value = try await body(fixture, admin)
            try await Self.cleanUp(fixture, admin: admin)
            return value
        } catch {
            try? await Self.cleanUp(fixture, admin: admin)
            throw error
        }
    }

    /// Removes the organization (everything in it goes by cascade) and the schema.
    static func cleanUp(_ fixture: BenchmarkFixture, admin: PostgresConnection) async throws {
        try await fixture.drop(on: admin)
        try await admin.execute("drop schema if exists \(Self.schema) cascade")
    }

    /// Figures 3 and 4: full import over HTTP from the sandbox, then no-change incremental syncs.
    func measureSandbox(_ fixture: BenchmarkFixture, admin: PostgresConnection, into figures: inout Figures) async throws {
        try await BenchmarkSandbox.run { sandbox in
            try await OAuthClientRegistry.set(
                provider: "google", clientID: "sandbox-client", clientSecret: "sandbox-secret",
                organization: fixture.organization, key: self.key, on: admin)
            let pool = PostgresPool(configuration: self.settings.app, maxConnections: 2)
            let tenant = TenantDatabase(pool: pool, secretKey: self.key)
            let store = CalendarAccountStore(database: tenant)
            let engine = CalendarSyncEngine(
                database: tenant, endpoints: sandbox.endpoints, listing: ListingOptions(),
                logger: Logger(label: "crmsync.bench") { _ in SwiftLogNoOpLogHandler() })
            var accounts: [Int: (id: UUID, owner: Identity)] = [:]
            for size in [self.events, 100] {
                let owner = try await fixture.person(on: admin)
                let email = "bench-\(size)-\(UUID().uuidString.prefix(6).lowercased())@bench.example"
                self.say("filling a sandbox calendar with \(size) events…")
                try await sandbox.fillGoogleCalendar(email: email, count: size)
                let tokens = try await sandbox.authorize(email: email)
                let id = try await store.connect(
                    owner, provider: "google", email: email,
                    tokens: .init(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt))
                accounts[size] = (id, owner)
            }
            guard let big = accounts[self.events], let small = accounts[100] else { throw BenchmarkError("accounts missing") }

            self.say("full import of \(self.events) events from the sandbox over HTTP…")
            let dbBefore = pool.statistics.duration
            var report: SyncReport?
            let total = try await self.timed { report = try await engine.sync(account: big.id, as: big.owner) }
            guard let report, report.counts.imported == self.events else {
                throw BenchmarkError("the full import brought \(report?.counts.imported ?? 0) of \(self.events) events: \(report?.failure ?? "")")
            }
            let database = (pool.statistics.duration - dbBefore) / .seconds(1)
            figures.e2e_events_per_second = Double(self.events) / total
            figures.e2e_http_share = max(0, total - database) / total
            figures.detail["e2e_seconds"] = total
            figures.detail["e2e_database_seconds"] = database
            _ = try await engine.sync(account: small.id, as: small.owner)

            self.say("no-change incremental syncs (\(self.events) and 100 events, median of 5 each)…")
            var times: [UUID: [Double]] = [:]
            typealias Account = (id: UUID, owner: Identity)
            for round in 0..<5 {
                for account: Account in [big, small] {
                    try await sandbox.control("DELETE", "requests")
                    let statements = pool.statistics.statements
                    var run: SyncReport?
                    let seconds = try await self.timed { run = try await engine.sync(account: account.id, as: account.owner) }
                    guard let run, run.counts.changedNothing else {
                        throw BenchmarkError("a no-change sync changed something: \(String(describing: run?.counts)) \(run?.failure ?? "")")
                    }
                    times[account.id, default: []].append(seconds)
                    if account.id == big.id && round == 0 {
                        figures.incremental_provider_requests = try await sandbox.providerRequests()
                        figures.incremental_db_roundtrips = pool.statistics.statements - statements
                    }
                }
            }
            let median = { (values: [Double]) in values.sorted()[values.count / 2] }
            figures.incremental_size_ratio = median(times[big.id] ?? [1]) / median(times[small.id] ?? [1])
            figures.detail["incremental_seconds_large"] = median(times[big.id] ?? [0])
            figures.detail["incremental_seconds_small"] = median(times[small.id] ?? [0])
            await pool.close()
        }
    }

    func timed(_ body: () async throws -> Void) async throws -> Double {
        let clock = ContinuousClock()
        let elapsed = try await clock.measure { try await body() }
        return elapsed / .seconds(1)
    }
}
