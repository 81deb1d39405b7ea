@testable import CRMSyncDatabase
import CRMSyncSandboxSupport
import CRMSyncEngine
import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// Recovery from a dead worker or a database that goes away mid-run: the account is taken over
/// within the lease (and never by two workers at once), a failed release is retried, a run
/// that cannot renew its lease stops before it expires, the abandoned run's log row keeps its
/// counts, failed runs count their errors, and runs are logged with what made them due.
@Suite("recovery")
struct RecoveryTests {
    /// The Google listing route, for latency faults that make a run last.
    static let listing = "GET /calendar/v3/calendars/*/events"

    /// An account with `events` events on the calendar, listed `pageSize` at a time.
    static func account(_ database: TestDatabase, _ sandbox: Sandbox, events: Int, pageSize: Int) async throws -> SyncHarness {
        let harness = try await SyncHarness.connect(database, sandbox: sandbox, provider: .google, strategy: "latest_wins", pageSize: pageSize)
        for index in 0..<events {
            try await harness.createEvent(.timed("event \(index)", day: 2 + index % 20, hour: 8 + index % 9))
        }
        return harness
    }

    /// An in-process worker of `harness`'s engine with one slot.
    static func worker(
        _ harness: SyncHarness, name: String, leaseSeconds: Int, pollInterval: Duration, reports: ReportLog
    ) -> SyncWorker {
        var engine = harness.engine
        engine.database = harness.database.tenant(maxConnections: 4)
        return SyncWorker(
            engine: engine, leases: SyncLeases(database: engine.database, worker: name, leaseSeconds: leaseSeconds), concurrency: 1,
            pollInterval: pollInterval, onReport: { account, report in reports.add(account.accountID, report, worker: name) })
    }

    /// One value of the admin's query, or nil.
    static func value<T: PostgresDecodable>(_ type: T.Type, _ admin: PostgresConnection, _ sql: SQL) async throws -> T? {
        try await admin.query(sql).first?.decode(T?.self, at: 0)
    }

    @Test("a worker killed mid-run: the account is taken over within 30 s, and the abandoned run keeps its counts")
    func killedWorkerTakenOver() async throws {
        try await TestDatabase.with("recovery_kill") { database in
            try await Sandbox.run { sandbox in
                // `crmsync worker` lists 1,000 events a page, so its import is one page: the run is
                // kept going after it by an export of 30 appointments, each insert taking 300 ms.
                let harness = try await Self.account(database, sandbox, events: 60, pageSize: 5)
                for index in 0..<30 {
                    _ = try await harness.createAppointment(.timed("appointment \(index)", day: 2 + index % 20, hour: 18))
                }
                try await sandbox.control("POST", "faults", ["route": Self.listing, "latencyMs": 300])
                try await sandbox.control("POST", "faults", ["route": "POST /calendar/v3/calendars/*/events", "latencyMs": 300])
                let admin = try await database.adminConnection()
                let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("crmsync-key-\(UUID().uuidString)")
                try Data(database.key.value.utf8).write(to: keyFile)
                defer { try? FileManager.default.removeItem(at: keyFile) }

                // `crmsync worker` with the default lease, killed once its run recorded imported events.
                let process = Process()
                process.executableURL = CrashTests.executable
                process.arguments = ["worker", "--concurrency", "1", "--poll-seconds", "1", "--name", "doomed", "--no-mail", "--no-push-renewal"]
                var environment = ProcessInfo.processInfo.environment
                environment["DATABASE_URL"] = try database.admin.conninfoString()
                environment["CRMSYNC_TOKEN_KEY"] = nil
                environment["CRMSYNC_TOKEN_KEY_FILE"] = keyFile.path
                environment["CRMSYNC_ROOT"] = database.root.path
                environment["CRMSYNC_SANDBOX_URL"] = sandbox.base.absoluteString
                process.environment = environment
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                let progressed = try await WorkerTests.wait(seconds: 60) {
                    (try await Self.value(
                        Int.self, admin,
                        "select events_imported from public.calendar_sync_log where calendar_account_id = \(harness.account) and status = 'running'"
                    ) ?? 0) > 0
                }
                kill(process.processIdentifier, SIGKILL)
                let killedAt = Date()
                await withCheckedContinuation { continuation in
                    DispatchQueue.global().async {
                        process.waitUntilExit()
                        continuation.resume()
                    }
                }
                #expect(progressed, "the doomed worker's run never recorded imported events as it went")
                let abandonedID = try #require(
                    try await Self.value(
                        UUID.self, admin, "select id from public.calendar_sync_log where calendar_account_id = \(harness.account)"))
                let importedBeforeKill = try await Self.value(
                    Int.self, admin, "select events_imported from public.calendar_sync_log where id = \(abandonedID)") ?? 0
                #expect(try await Self.value(String.self, admin, "select lease_owner from public.calendar_accounts where id = \(harness.account)") == "doomed")

                // Another worker with the default lease and poll interval (30 s): it takes the
                // account over when the dead worker's lease runs out, not at some later poll.
                let reports = ReportLog()
                let heir = Self.worker(
                    harness, name: "heir", leaseSeconds: BackgroundSettings.defaultLeaseSeconds,
                    pollInterval: BackgroundSettings.defaultPollInterval, reports: reports)
                let running = Task { try await heir.run() }
                let synced = try await WorkerTests.wait(seconds: 60) { reports.accounts.contains(harness.account) }
                running.cancel()
                _ = await running.result
                #expect(synced, "the dead worker's account was not taken over")

                let takenOver = try #require(
                    try await Self.value(
                        Date.self, admin,
                        "select min(started_at) from public.calendar_sync_log where calendar_account_id = \(harness.account) and id <> \(abandonedID)"))
                let seconds = takenOver.timeIntervalSince(killedAt)
                print("recovery: dead worker's account taken over \(String(format: "%.1f", seconds)) s after SIGKILL (lease \(BackgroundSettings.defaultLeaseSeconds) s)")
                #expect(seconds < 30, "taken over \(seconds) s after the kill")
                #expect(seconds <= Double(BackgroundSettings.defaultLeaseSeconds) + 2)
                #expect(reports.workers == ["heir"])

                // The abandoned row: failed, its counts kept, the abandonment counted as an error.
                let row = try #require(
                    try await admin.query(
                        "select status, events_imported, errors, error_details::text from public.calendar_sync_log where id = \(abandonedID)"
                    ).first)
                #expect(try row.decode(String.self, at: 0) == "failed")
                #expect(try row.decode(Int.self, at: 1) >= max(1, importedBeforeKill))
                #expect(try row.decode(Int.self, at: 2) >= 1)
                #expect(try row.decode(String.self, at: 3).contains("run abandoned"))
                try await sandbox.control("DELETE", "faults")
                try await harness.syncUntilQuiet(limit: 3)
                try await harness.expectConverged()
            }
        }
    }

    @Test("a worker that cannot renew its lease stops its run before the lease expires")
    func renewalFailureStopsTheRun() async throws {
        try await TestDatabase.with("recovery_renew") { database in
            try await Sandbox.run { sandbox in
                let harness = try await Self.account(database, sandbox, events: 40, pageSize: 2)
                // 20 pages of a second each: the run outlasts a 10 s lease.
                try await sandbox.control("POST", "faults", ["route": Self.listing, "latencyMs": 1000])
                let admin = try await database.adminConnection()
                let reports = ReportLog()
                let worker = Self.worker(harness, name: "cut-off", leaseSeconds: 10, pollInterval: .seconds(60), reports: reports)
                let running = Task { try await worker.run() }
                let started = try await WorkerTests.wait(seconds: 30) {
                    // (the demo data has running rows of its own)
                    try await Self.value(
                        Int64.self, admin,
                        "select count(*) from public.calendar_sync_log where calendar_account_id = \(harness.account) and status = 'running'") == 1
                }
                #expect(started)
                // The database refuses every renewal from now on (as if it had gone away).
                try await admin.query("revoke execute on function public.renew_calendar_lease(uuid, text, int) from crmsync_worker")
                let expires = try #require(
                    try await Self.value(Date.self, admin, "select lease_expires_at from public.calendar_accounts where id = \(harness.account)"))
                let stopped = try await WorkerTests.wait(seconds: 30) { reports.accounts.contains(harness.account) }
                let stoppedAt = Date()
                running.cancel()
                _ = await running.result
                try await admin.query("grant execute on function public.renew_calendar_lease(uuid, text, int) to crmsync_worker")
                #expect(stopped, "the run went on without its lease")
                #expect(stoppedAt < expires, "the run ended \(stoppedAt.timeIntervalSince(expires)) s after its lease expired")
                let row = try #require(
                    try await admin.query(
                        "select status, completed_at, errors from public.calendar_sync_log where calendar_account_id = \(harness.account)"
                    ).first)
                #expect(try row.decode(String.self, at: 0) == "failed")
                let completed = try #require(try row.decode(Date?.self, at: 1))
                #expect(completed < expires)
                #expect(try row.decode(Int.self, at: 2) >= 1)
                print("recovery: run stopped \(String(format: "%.1f", expires.timeIntervalSince(completed))) s before its lease expired")
            }
        }
    }

    @Test("a live worker whose lease release failed retries it until it goes through")
    func releaseRetried() async throws {
        try await TestDatabase.with("recovery_release") { database in
            try await Sandbox.run { sandbox in
                let harness = try await Self.account(database, sandbox, events: 3, pageSize: 10)
                let admin = try await database.adminConnection()
                try await admin.query("revoke execute on function public.release_calendar_lease(uuid, text) from crmsync_worker")
                let reports = ReportLog()
                let worker = Self.worker(harness, name: "stubborn", leaseSeconds: 30, pollInterval: .seconds(60), reports: reports)
                let running = Task { try await worker.run() }
                let synced = try await WorkerTests.wait(seconds: 30) { reports.accounts.contains(harness.account) }
                #expect(synced)
                try await Task.sleep(for: .seconds(1))
                let owner = { try await Self.value(String.self, admin, "select lease_owner from public.calendar_accounts where id = \(harness.account)") }
                #expect(try await owner() == "stubborn", "the release failed, so the lease is still held")
                let expires = try #require(
                    try await Self.value(Date.self, admin, "select lease_expires_at from public.calendar_accounts where id = \(harness.account)"))
                // The database accepts releases again: the worker's next attempt goes through.
                try await admin.query("grant execute on function public.release_calendar_lease(uuid, text) to crmsync_worker")
                let released = try await WorkerTests.wait(seconds: 10) { try await owner() == nil }
                let releasedAt = Date()
                running.cancel()
                _ = await running.result
                #expect(released, "the failed release was not retried")
                #expect(releasedAt < expires.addingTimeInterval(-15), "released only \(expires.timeIntervalSince(releasedAt)) s before expiry")
            }
        }
    }

    @Test("failed runs count their errors")
    func failedRunsCountErrors() async throws {
        try await TestDatabase.with("recovery_errors") { database in
            try await Sandbox.run { sandbox in
                let harness = try await Self.account(database, sandbox, events: 2, pageSize: 10)
                try await sandbox.control("POST", "faults", ["route": Self.listing, "status": 400])
                let report = try await harness.sync(expect: .failed)
                #expect(report.counts.errors >= 1)
                let admin = try await database.adminConnection()
                let logID = try #require(report.logID)
                let row = try #require(
                    try await admin.query(
                        "select status, errors, jsonb_array_length(error_details) from public.calendar_sync_log where id = \(logID)"
                    ).first)
                #expect(try row.decode(String.self, at: 0) == "failed")
                #expect(try row.decode(Int.self, at: 1) >= 1)
                #expect(try row.decode(Int.self, at: 1) == row.decode(Int.self, at: 2), "one error per detail")
            }
        }
    }

    @Test("runs are logged as manual, webhook or auto after what made the account due")
    func triggers() async throws {
        try await TestDatabase.with("recovery_triggers") { database in
            try await Sandbox.run { sandbox in
                let harness = try await Self.account(database, sandbox, events: 2, pageSize: 10)
                let admin = try await database.adminConnection()
                let reports = ReportLog()
                let worker = Self.worker(harness, name: "w", leaseSeconds: 30, pollInterval: .milliseconds(100), reports: reports)
                let running = Task { try await worker.run() }
                func nextRun(after count: Int) async throws -> String? {
                    _ = try await WorkerTests.wait(seconds: 30) { reports.accounts.count > count }
                    return try await Self.value(
                        String.self, admin,
                        "select sync_type from public.calendar_sync_log where calendar_account_id = \(harness.account) order by started_at desc limit 1")
                }
                _ = try await nextRun(after: 0)  // the first sync of the new account

                // The API's POST …/sync.
                _ = try await CalendarAccountStore(database: harness.tenant).requestSync(harness.account, for: harness.owner)
                #expect(try await nextRun(after: 1) == "manual")

                // A verified webhook notification.
                let channel = try #require(
                    try await Self.value(
                        UUID.self, admin,
                        """
                        insert into public.calendar_push_channels
                          (organization_id, calendar_account_id, provider, calendar_id, external_id, token_hash, expires_at)
                        values (\(harness.owner.organizationID), \(harness.account), 'google', 'primary', 'channel-1',
                                sha256('token'::bytea), now() + interval '1 day')
                        returning id
                        """))
                let acceptance = try await PushChannelStore(database: harness.tenant).accept(channel: channel, markDue: true, as: harness.owner)
                #expect(acceptance == .requested)
                #expect(try await nextRun(after: 2) == "webhook")

                // A webhook's pending request followed by a person's: the person's.
                running.cancel()
                _ = await running.result
                _ = try await PushChannelStore(database: harness.tenant).accept(channel: channel, markDue: true, as: harness.owner)
                _ = try await CalendarAccountStore(database: harness.tenant).requestSync(harness.account, for: harness.owner)
                let claims = try await SyncLeases(database: harness.tenant, worker: "probe").claim(limit: 5)
                #expect(claims.map(\.trigger) == [.manual])
                try await SyncLeases(database: harness.tenant, worker: "probe").release(harness.account)

                // Due by schedule alone.
                try await admin.query("update public.calendar_accounts set next_sync_at = now() - interval '1 second' where id = \(harness.account)")
                let scheduled = Self.worker(harness, name: "w", leaseSeconds: 30, pollInterval: .milliseconds(100), reports: reports)
                let again = Task { try await scheduled.run() }
                #expect(try await nextRun(after: 3) == "auto")
                again.cancel()
                _ = await again.result
            }
        }
    }
}
