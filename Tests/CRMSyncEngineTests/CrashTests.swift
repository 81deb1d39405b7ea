@testable import CRMSyncDatabase
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import PostgresClient
import Testing

/// `crmsync worker` killed with SIGKILL mid-sync, several times at different points, leaves
/// no duplicate appointment, mapping or remote event, and the next run converges.
@Suite("crash safety")
struct CrashTests {
    static let executable = TestDatabase.projectRoot.appendingPathComponent(".build/debug/crmsync")

    /// Starts `crmsync worker` against the scratch database and the sandbox, lets it run for
    /// `delay`, then SIGKILLs it. Waiting happens off the cooperative pool (the in-process
    /// sandbox answers on it).
    static func killWorker(after delay: Duration, database: TestDatabase, sandbox: Sandbox, keyFile: URL, log: URL) async throws {
        let process = Process()
        process.executableURL = self.executable
        process.arguments = ["worker", "--concurrency", "2", "--lease-seconds", "10", "--poll-seconds", "1", "--name", "doomed"]
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = try database.admin.conninfoString()
        environment["CRMSYNC_TOKEN_KEY"] = nil
        environment["CRMSYNC_TOKEN_KEY_FILE"] = keyFile.path
        environment["CRMSYNC_ROOT"] = database.root.path
        environment["CRMSYNC_SANDBOX_URL"] = sandbox.base.absoluteString
        process.environment = environment
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        process.standardOutput = handle
        process.standardError = handle
        // Wait for the run to start (a new log row; an earlier killed run's row stays
        // 'running' until the next start closes it), then let it go on for `delay`.
        let admin = try await database.adminConnection()
        let count = { try await admin.query("select count(*) from public.calendar_sync_log").first?.decode(Int64.self, at: 0) ?? 0 }
        let before = try await count()
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, try await count() == before {
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: delay)
        kill(process.processIdentifier, SIGKILL)
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        try handle.close()
    }

    /// Makes the account claimable again: the killed worker's lease expired, a sync requested.
    static func makeDue(_ harness: SyncHarness, admin: PostgresConnection) async throws {
        try await admin.query(
            "update public.calendar_accounts set lease_expires_at = now() - interval '1 second' where id = \(harness.account)")
        try await harness.tenant.withSession(harness.owner) { connection in
            try await connection.query("select public.request_calendar_sync(\(harness.account))")
        }
    }

    @Test("SIGKILL mid-sync at different points: no duplicates anywhere, and the next run converges", arguments: [
        CalendarProviderKind.google, .outlook,
    ])
    func killed(provider: CalendarProviderKind) async throws {
        try await TestDatabase.with("crash_\(provider.rawValue)") { database in
            try await Sandbox.run { sandbox in
                let harness = try await SyncHarness.connect(database, sandbox: sandbox, provider: provider, strategy: "crm_wins", pageSize: 50)
                let admin = try await database.adminConnection()
                let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("crmsync-key-\(UUID().uuidString)")
                try Data(database.key.value.utf8).write(to: keyFile)
                let log = FileManager.default.temporaryDirectory.appendingPathComponent("crmsync-crash-\(UUID().uuidString).log")
                defer {
                    try? FileManager.default.removeItem(at: keyFile)
                    try? FileManager.default.removeItem(at: log)
                }
                var edits = RandomEdits(seed: provider == .google ? 31 : 37)
                // Kill points after the run started: from its first listing to well into the export.
                let delays: [Duration] = [.milliseconds(0), .milliseconds(20), .milliseconds(60), .milliseconds(120), .milliseconds(200), .milliseconds(300)]
                for (round, delay) in delays.enumerated() {
                    for index in 0..<20 {
                        try await harness.createAppointment(edits.shape(prefix: "crm r\(round) \(index)"))
                        try await harness.createEvent(edits.shape(prefix: "cal r\(round) \(index)"))
                    }
                    for _ in 0..<6 { try await ConvergenceTests.step(harness, &edits) }
                    try await Self.makeDue(harness, admin: admin)
                    try await Self.killWorker(after: delay, database: database, sandbox: sandbox, keyFile: keyFile, log: log)
                }
                let runs = try await admin.query(
                    "select count(*) from public.calendar_sync_log where calendar_account_id = \(harness.account)"
                ).first?.decode(Int64.self, at: 0) ?? 0
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                #expect(runs >= 1, "the killed workers never started a run: \(output.suffix(2000))")

                // The kills landed mid-run: abandoned runs (closed by the next start), and work
                // that reached both sides before the last kill.
                try await Self.makeDue(harness, admin: admin)
                let report = try await harness.sync()
                let abandoned = try await admin.query(
                    """
                    select count(*) from public.calendar_sync_log
                     where calendar_account_id = \(harness.account) and error_details::text like '%run abandoned%'
                    """
                ).first?.decode(Int64.self, at: 0) ?? 0
                #expect(abandoned >= 2, "only \(abandoned) of \(runs) runs were killed mid-sync: \(output.suffix(2000))")
                _ = report
                try await harness.syncUntilQuiet(limit: 5)
                try await harness.expectConverged()
                try await harness.expectQuiet()

                // No duplicates: every title (all are unique by construction) once per side,
                // one mapping per appointment and per event.
                let appointments = try await harness.appointments().values.map(\.title)
                #expect(Set(appointments).count == appointments.count, "duplicate appointments")
                let events = try await harness.events().values.map(\.title)
                #expect(Set(events).count == events.count, "duplicate remote events")
                let mappings = try await harness.mappings()
                #expect(Set(mappings.map(\.appointment)).count == mappings.count, "two mappings for one appointment")
                #expect(Set(mappings.map(\.event)).count == mappings.count, "two mappings for one event")
            }
        }
    }
}
