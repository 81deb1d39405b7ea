import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import Logging
import PostgresClient

/// One organization's accounts synced by one worker (`SyncWorker`, 4 slots) until each has run
/// once, timed, with the time Postgres spent on it and the buffers it read.
struct OrganizationSyncRound {
    let settings: DatabaseSettings
    let key: SecretKey
    let sandbox: BenchmarkSandbox
    let admin: PostgresConnection

    typealias Account = (id: UUID, owner: Identity)

    /// What rounds took, as totals: the rounds of several organizations add up.
    struct Result {
        var runs = 0.0
        var seconds = 0.0
        var postgresMilliseconds = 0.0
        /// CPU time of the worker's sessions; nil when the server is not on this machine.
        var postgresCPUMilliseconds: Double? = 0
        var statementMilliseconds = 0.0
        var statements = 0.0
        var blocks = 0.0
        var appointmentBlocks = 0.0

        var accountsPerSecond: Double { self.runs / max(self.seconds, 1e-9) }
        func perRun(_ total: Double) -> Double { total / max(self.runs, 1) }

        static func + (a: Result, b: Result) -> Result {
            Result(
                runs: a.runs + b.runs, seconds: a.seconds + b.seconds, postgresMilliseconds: a.postgresMilliseconds + b.postgresMilliseconds,
                postgresCPUMilliseconds: a.postgresCPUMilliseconds.flatMap { x in b.postgresCPUMilliseconds.map { x + $0 } },
                statementMilliseconds: a.statementMilliseconds + b.statementMilliseconds, statements: a.statements + b.statements,
                blocks: a.blocks + b.blocks, appointmentBlocks: a.appointmentBlocks + b.appointmentBlocks)
        }
    }

    /// The database's cumulative counters a round is measured by.
    struct Counters {
        var appointmentBlocks = 0.0
        var blocks = 0.0
        var activeMilliseconds = 0.0
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

    /// The first syncs of `accounts`, then (all due again) one round of no-change syncs, by one
    /// worker on one pool: the no-change round runs on sessions the first round warmed (plans
    /// cached), as a worker's are. The database's figures are those of the no-change round.
    func measure(_ accounts: [Account], organization: UUID) async throws -> (first: Result, noChange: Result) {
        let pool = PostgresPool(configuration: self.settings.app, maxConnections: 10)
        let engine = CalendarSyncEngine(
            database: TenantDatabase(pool: pool, secretKey: self.key), endpoints: self.sandbox.endpoints, listing: ListingOptions(),
            logger: Logger(label: "crmsync.bench") { _ in SwiftLogNoOpLogHandler() })
        do {
            let first = try await self.round(accounts, engine: engine, pool: pool, expectNoChange: false)
            try await self.makeDue(organization)
            // what autovacuum does after the first syncs' writes is not the no-change round's work
            try await self.admin.execute(
                "vacuum (analyze) public.appointments, public.calendar_event_mappings, public.calendar_accounts, public.calendar_sync_log")
            // idle sessions report their statistics within ten seconds
            try await Task.sleep(for: .seconds(11))
            let before = try await self.counters()
            let cpuBefore = try await BackendCPU.sample(admin: self.admin)
            var noChange = try await self.round(accounts, engine: engine, pool: pool, expectNoChange: true)
            noChange.postgresCPUMilliseconds = BackendCPU.milliseconds(from: cpuBefore, to: try await BackendCPU.sample(admin: self.admin))
            await pool.close()
            try await self.waitForSessionsToEnd()
            let after = try await self.counters()
            noChange.postgresMilliseconds = after.activeMilliseconds - before.activeMilliseconds
            noChange.blocks = after.blocks - before.blocks
            noChange.appointmentBlocks = after.appointmentBlocks - before.appointmentBlocks
            return (first, noChange)
        } catch {
            await pool.close()
            throw error
        }
    }

    /// Runs one worker until each of `accounts` has been synced once: accounts per second and
    /// the time the worker waited for its statements.
    private func round(
        _ accounts: [Account], engine: CalendarSyncEngine, pool: PostgresPool, expectNoChange: Bool
    ) async throws -> Result {
        let ours = Set(accounts.map(\.id))
        let (reports, sink) = AsyncStream.makeStream(of: SyncReport.self)
        let worker = SyncWorker(
            engine: engine, leases: SyncLeases(database: engine.database, worker: "crmsync-bench", leaseSeconds: 60), concurrency: 4,
            pollInterval: .milliseconds(100),
            onReport: { account, report in if ours.contains(account.accountID) { sink.yield(report) } })
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
        guard unexpected.isEmpty else {
            throw BenchmarkError("\(unexpected.count) runs did not end as expected, e.g. \(unexpected[0])")
        }
        return Result(
            runs: Double(ours.count), seconds: elapsed, statementMilliseconds: time / .milliseconds(1), statements: Double(statements))
    }

    /// The cumulative statistics so far (a session reports its share when it ends): buffer
    /// reads, hits included, of appointments and its indexes and of the whole database, and the
    /// time the database's sessions spent running statements (`active_time`).
    private func counters() async throws -> Counters {
        let rows = try await self.admin.query(
            """
            select (select coalesce(heap_blks_read, 0) + coalesce(heap_blks_hit, 0) + coalesce(idx_blks_read, 0) + coalesce(idx_blks_hit, 0)
                      from pg_catalog.pg_statio_all_tables
                     where schemaname = 'public' and relname = 'appointments')::float8,
                   (blks_read + blks_hit)::float8, active_time::float8
              from pg_catalog.pg_stat_database
             where datname = current_database()
            """)
        guard let row = rows.first else { throw BenchmarkError("no statistics for this database") }
        return Counters(
            appointmentBlocks: try row.decode(Double.self, at: 0), blocks: try row.decode(Double.self, at: 1),
            activeMilliseconds: try row.decode(Double.self, at: 2))
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
