import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// Workers claim due accounts with leases: two of them on one database never sync the same
/// account at once, every due account gets synced, and a dead worker's lease is recovered.
@Suite("workers")
struct WorkerTests {
    /// Several connected accounts with work on both sides.
    static func accounts(_ database: TestDatabase, _ sandbox: Sandbox, count: Int) async throws -> [SyncHarness] {
        var harnesses: [SyncHarness] = []
        for index in 0..<count {
            let harness = try await SyncHarness.connect(
                database, sandbox: sandbox, provider: index % 3 == 2 ? .outlook : .google, strategy: "latest_wins", pageSize: 5)
            for item in 0..<4 {
                try await harness.createAppointment(.timed("crm \(index)-\(item)", day: 3 + item, hour: 9))
                try await harness.createEvent(.timed("cal \(index)-\(item)", day: 3 + item, hour: 14))
            }
            harnesses.append(harness)
        }
        return harnesses
    }

    /// The finished runs of each account in the sync log: (started, completed).
    static func runs(_ admin: PostgresConnection) async throws -> [UUID: [(Date, Date?)]] {
        let rows = try await admin.query(
            "select calendar_account_id, started_at, completed_at from public.calendar_sync_log order by started_at")
        var runs: [UUID: [(Date, Date?)]] = [:]
        for row in rows.rows {
            runs[try row.decode(UUID.self, at: 0), default: []].append((try row.decode(Date.self, at: 1), try row.decode(Date?.self, at: 2)))
        }
        return runs
    }

    /// A worker of `harness`'s engine on its own pool, fast polling, short leases.
    static func worker(_ harness: SyncHarness, name: String, concurrency: Int, reports: ReportLog) -> SyncWorker {
        var engine = harness.engine
        engine.database = harness.database.tenant(maxConnections: concurrency * 2 + 2)
        return SyncWorker(
            engine: engine, leases: SyncLeases(database: engine.database, worker: name, leaseSeconds: 30), concurrency: concurrency,
            pollInterval: .milliseconds(50), onReport: { account, report in reports.add(account.accountID, report, worker: name) })
    }

    /// Waits (polling) until `condition` holds, at most `seconds`.
    static func wait(seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    @Test("two workers on one database never sync one account at once, and every due account is synced")
    func twoWorkers() async throws {
        try await TestDatabase.with("workers_two") { database in
            try await Sandbox.run { sandbox in
                let harnesses = try await Self.accounts(database, sandbox, count: 6)
                let admin = try await database.adminConnection()
                let reports = ReportLog()
                let workers = [
                    Self.worker(harnesses[0], name: "worker-a", concurrency: 3, reports: reports),
                    Self.worker(harnesses[0], name: "worker-b", concurrency: 3, reports: reports),
                ]
                let running = Task {
                    await withThrowingTaskGroup(of: Void.self) { group in
                        for worker in workers { group.addTask { try await worker.run() } }
                    }
                }
                // Three rounds: every account due again (a person asks to sync), all synced.
                for round in 1...3 {
                    if round > 1 {
                        for harness in harnesses {
                            try await harness.tenant.withSession(harness.owner) { connection in
                                try await connection.query("select public.request_calendar_sync(\(harness.account))")
                            }
                        }
                    }
                    let done = try await Self.wait(seconds: 60) {
                        let runs = try await Self.runs(admin)
                        return harnesses.allSatisfy { harness in
                            (runs[harness.account] ?? []).filter { $0.1 != nil }.count >= round
                        }
                    }
                    #expect(done, "round \(round): not every account was synced")
                }
                running.cancel()
                _ = await running.result

                let runs = try await Self.runs(admin)
                for harness in harnesses {
                    let intervals = runs[harness.account] ?? []
                    #expect(intervals.count >= 3)
                    for (earlier, later) in zip(intervals, intervals.dropFirst()) {
                        let end = earlier.1 ?? Date.distantFuture
                        #expect(end <= later.0, "account \(harness.account): a run started before the previous one finished")
                    }
                }
                #expect(Set(reports.accounts) == Set(harnesses.map(\.account)))
                #expect(Set(reports.workers) == ["worker-a", "worker-b"], "both workers took part: \(reports.workers)")
                // Leases released on shutdown; both sides converge once a last sync settles them.
                let leased = try await admin.query("select count(*) from public.calendar_accounts where lease_owner is not null")
                    .first?.decode(Int64.self, at: 0)
                #expect(leased == 0)
                for harness in harnesses {
                    try await harness.syncUntilQuiet(limit: 4)
                    try await harness.expectConverged()
                }
            }
        }
    }

    @Test("an expired lease of a dead worker is recovered by another worker")
    func expiredLease() async throws {
        try await TestDatabase.with("workers_lease") { database in
            try await Sandbox.run { sandbox in
                let harnesses = try await Self.accounts(database, sandbox, count: 1)
                let harness = harnesses[0]
                let admin = try await database.adminConnection()
                let tenant = database.tenant(maxConnections: 4)
                let dead = SyncLeases(database: tenant, worker: "dead-worker", leaseSeconds: 60)
                let alive = SyncLeases(database: tenant, worker: "alive-worker", leaseSeconds: 60)
                // The first worker claims the account and dies without releasing it.
                let claimed = try await dead.claim(limit: 10)
                #expect(claimed.map(\.accountID) == [harness.account])
                #expect(try await alive.claim(limit: 10).isEmpty, "a live lease must not be claimed")
                // Time passes beyond the lease.
                try await admin.query(
                    "update public.calendar_accounts set lease_expires_at = now() - interval '1 second' where id = \(harness.account)")
                let reports = ReportLog()
                let worker = Self.worker(harness, name: "alive-worker", concurrency: 1, reports: reports)
                let running = Task { try await worker.run() }
                let synced = try await Self.wait(seconds: 60) { reports.accounts.contains(harness.account) }
                running.cancel()
                _ = await running.result
                #expect(synced, "the expired lease was not recovered")
                #expect(reports.workers == ["alive-worker"])
                // The dead worker, were it to wake up, has lost the lease.
                #expect(try await dead.renew(harness.account) == false)
                try await harness.expectConverged()
            }
        }
    }
}

/// What the workers' `onReport` saw.
final class ReportLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(UUID, SyncReport.Status, String)] = []

    func add(_ account: UUID, _ report: SyncReport, worker: String) {
        self.lock.withLock { self.entries.append((account, report.status, worker)) }
    }

    var accounts: [UUID] { self.lock.withLock { self.entries.map(\.0) } }
    var workers: [String] { self.lock.withLock { Array(Set(self.entries.map(\.2))).sorted() } }
}
