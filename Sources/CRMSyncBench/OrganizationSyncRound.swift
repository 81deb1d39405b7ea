import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import Logging
import PostgresClient

/// One organization's accounts synced by one worker (`SyncWorker`, 4 slots) until each has run
/// once, timed, with the time its statements took and the appointment blocks Postgres read.
struct OrganizationSyncRound {
    let settings: DatabaseSettings
    let key: SecretKey
    let sandbox: BenchmarkSandbox
    let admin: PostgresConnection

    typealias Account = (id: UUID, owner: Identity)

    struct Result {
        var accountsPerSecond = 0.0
        var postgresMillisecondsPerRun = 0.0
        var statementsPerRun = 0.0
        var appointmentBlocksPerRun = 0.0
    }

    /// `count` members of `fixture`'s organization, each with a sandbox calendar of `events`
    /// events connected through the sandbox's OAuth; eight accounts at a time.
    func connect(_ count: Int, events: Int, in fixture: BenchmarkFixture) async throws -> [Account] {
        let rows = try await self.admin.query(
            """
            insert into public.user_organizations (organization_id, user_id, role)
            select \(fixture.organization), extensions.gen_random_uuid(), 'member' from generate_series(1, \(count))
            returning user_id
            """)
        let owners = try rows.rows.map { Identity(userID: try $0.decode(UUID.self, at: 0), organizationID: fixture.organization) }
        let pool = PostgresPool(configuration: self.settings.app, maxConnections: 4)
        defer { Task { await pool.close() } }
        let store = CalendarAccountStore(database: TenantDatabase(pool: pool, secretKey: self.key))
        let sandbox = self.sandbox
        return try await withThrowingTaskGroup(of: Account.self) { group in
            var accounts: [Account] = []
            for (index, owner) in owners.enumerated() {
                if index >= 8 { accounts.append(try await group.next()!) }
                group.addTask {
                    let email = "bench-org-\(index)-\(UUID().uuidString.prefix(6).lowercased())@bench.example"
                    try await sandbox.fillGoogleCalendar(email: email, count: events)
                    let tokens = try await sandbox.authorize(email: email)
                    let id = try await store.connect(
                        owner, provider: "google", email: email,
                        tokens: .init(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt))
                    return (id, owner)
                }
            }
            for try await account in group { accounts.append(account) }
            return accounts
        }
    }

    /// Every account of the organization due by schedule again.
    func makeDue(_ organization: UUID) async throws {
        try await self.admin.query(
            "update public.calendar_accounts set next_sync_at = now() - interval '1 second' where organization_id = \(organization)")
    }

    /// Runs one worker until each of `accounts` has been synced once.
    func run(_ accounts: [Account], organization: UUID, expectNoChange: Bool) async throws -> Result {
        let pool = PostgresPool(configuration: self.settings.app, maxConnections: 10)
        let tenant = TenantDatabase(pool: pool, secretKey: self.key)
        let engine = CalendarSyncEngine(
            database: tenant, endpoints: self.sandbox.endpoints, listing: ListingOptions(),
            logger: Logger(label: "crmsync.bench") { _ in SwiftLogNoOpLogHandler() })
        let ours = Set(accounts.map(\.id))
        let (reports, sink) = AsyncStream.makeStream(of: SyncReport.self)
        let worker = SyncWorker(
            engine: engine, leases: SyncLeases(database: tenant, worker: "crmsync-bench", leaseSeconds: 60), concurrency: 4,
            pollInterval: .milliseconds(100),
            onReport: { account, report in if ours.contains(account.accountID) { sink.yield(report) } })
        let blocksBefore = try await self.appointmentBlocks()
        let (timeBefore, statementsBefore) = (pool.statistics.duration, pool.statistics.statements)
        let clock = ContinuousClock()
        let started = clock.now
        let running = Task { try await worker.run() }
        var seen = Set<UUID>()
        var unexpected: [String] = []
        for await report in reports {
            seen.insert(report.accountID)
            if report.status != .success || (expectNoChange && !report.counts.changedNothing) {
                unexpected.append("\(report.status.rawValue) \(report.counts) \(report.failure ?? "")")
            }
            if seen.count == ours.count { break }
        }
        let elapsed = (clock.now - started) / .seconds(1)
        let (time, statements) = (pool.statistics.duration - timeBefore, pool.statistics.statements - statementsBefore)
        running.cancel()
        _ = await running.result
        sink.finish()
        await pool.close()
        guard unexpected.isEmpty else {
            throw BenchmarkError("\(unexpected.count) runs did not end as expected, e.g. \(unexpected[0])")
        }
        try await self.waitForSessionsToEnd()
        let blocks = try await self.appointmentBlocks() - blocksBefore
        let runs = Double(ours.count)
        return Result(
            accountsPerSecond: runs / elapsed, postgresMillisecondsPerRun: time / .milliseconds(1) / runs,
            statementsPerRun: Double(statements) / runs, appointmentBlocksPerRun: Double(blocks) / runs)
    }

    /// Buffer reads (hits included) of appointments and its indexes so far, in the
    /// cumulative statistics, which a session reports when it ends.
    private func appointmentBlocks() async throws -> Int {
        let rows = try await self.admin.query(
            """
            select (coalesce(heap_blks_read, 0) + coalesce(heap_blks_hit, 0) + coalesce(idx_blks_read, 0) + coalesce(idx_blks_hit, 0))::bigint
              from pg_catalog.pg_statio_all_tables
             where schemaname = 'public' and relname = 'appointments'
            """)
        return try rows.first?.decode(Int.self, at: 0) ?? 0
    }

    /// The worker's sessions gone (their statistics reported), at most five seconds.
    private func waitForSessionsToEnd() async throws {
        for _ in 0..<50 {
            let rows = try await self.admin.query(
                """
                select count(*) from pg_catalog.pg_stat_activity
                 where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()
                """)
            if try rows.first?.decode(Int.self, at: 0) == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(300))
    }
}
