import CRMSyncEngine
import CRMSyncProviders
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import Testing

/// Random changes on both sides interleaved with syncs; after a quiet round both sides agree.
@Suite("convergence")
struct ConvergenceTests {
    /// Applies `operations` random changes, `perRound` between syncs, then settles open
    /// conflicts (as a person would) and syncs until quiet. `series`: the calendar side also
    /// creates weekly series and changes their single instances.
    static func run(
        _ harness: SyncHarness, seed: UInt64, operations: Int, perRound: Int = 15, faults: Bool = false, series: Bool = false
    ) async throws {
        var edits = RandomEdits(seed: seed)
        var done = 0
        while done < operations {
            for _ in 0..<perRound where done < operations {
                done += 1
                try await Self.step(harness, &edits, series: series)
            }
            if faults && edits.roll(3) == 0 {
                try await harness.sandbox.control("POST", "users/\(harness.email)/expire-cursors")
            }
            if faults && edits.roll(3) == 0 {
                try await harness.sandbox.control("POST", "users/\(harness.email)/expire-access-tokens")
            }
            _ = try await harness.engine.sync(account: harness.account, as: harness.owner)
        }
        if faults { try await harness.sandbox.control("DELETE", "faults") }
        for _ in 0..<3 {
            for conflict in try await harness.openConflicts() {
                try await harness.resolve(conflict, keep: edits.roll(2) == 0 ? "keep_crm" : "keep_calendar")
            }
            try await harness.syncUntilQuiet(limit: 5)
            if try await harness.openConflicts().isEmpty { break }
        }
        try await harness.expectConverged(listed: series ? harness.listedEvents() : nil)
        try await harness.expectQuiet()
    }

    /// One random change on one side.
    static func step(_ harness: SyncHarness, _ edits: inout RandomEdits, series: Bool = false) async throws {
        let onCRM = edits.roll(2) == 0
        let action = edits.roll(10)
        if onCRM {
            let live = try await harness.appointments().sorted { $0.key.uuidString < $1.key.uuidString }
            if action < 4 || live.isEmpty {
                try await harness.createAppointment(edits.shape(prefix: "crm"))
            } else if action < 8, let (id, shape) = edits.pick(live) {
                try await harness.updateAppointment(id, to: edits.edit(shape))
            } else if let (id, _) = edits.pick(live) {
                try await harness.deleteAppointment(id)
            }
        } else {
            // with series: their instances as listed (editing one makes it an exception,
            // deleting one cancels it)
            let live = try await (series ? harness.listedEvents() : harness.events()).sorted { $0.key < $1.key }
            if series && action == 9 {
                try await harness.createSeries(edits.shape(prefix: "series"), count: 2 + edits.roll(4))
            } else if action < 4 || live.isEmpty {
                try await harness.createEvent(edits.shape(prefix: "cal"))
            } else if action < 8, let (id, shape) = edits.pick(live) {
                try await harness.updateEvent(id, to: edits.edit(shape))
            } else if let (id, _) = edits.pick(live) {
                try await harness.deleteEvent(id)
            }
        }
    }

    @Test("google: a few hundred random operations converge under every strategy", arguments: [
        ("manual", UInt64(1)), ("crm_wins", 2), ("calendar_wins", 3), ("latest_wins", 4),
    ])
    func google(strategy: String, seed: UInt64) async throws {
        try await SyncHarness.with("converge_\(strategy)", strategy: strategy, pageSize: 20) { harness in
            try await Self.run(harness, seed: seed, operations: strategy == "manual" ? 300 : 200)
        }
    }

    @Test("outlook: random operations converge")
    func outlook() async throws {
        try await SyncHarness.with("converge_outlook", provider: .outlook, strategy: "latest_wins", pageSize: 20) { harness in
            try await Self.run(harness, seed: 9, operations: 200)
        }
    }

    @Test("with 429/5xx (with and without Retry-After), expired cursors and tokens, it still converges; nothing sleeps for real")
    func faults() async throws {
        try await SyncHarness.with("converge_faults", strategy: "crm_wins", pageSize: 10) { harness in
            let faults: [[String: Any]] = [
                ["route": "GET /calendar/v3/calendars/*/events", "status": 503, "retryAfter": 3, "probability": 0.3],
                ["route": "POST /calendar/v3/calendars/*/events", "status": 429, "retryAfter": 2, "probability": 0.3],
                ["route": "PATCH /calendar/v3/calendars/*/events/*", "status": 500, "probability": 0.3],
                ["route": "DELETE /calendar/v3/calendars/*/events/*", "status": 502, "probability": 0.3],
                ["route": "POST /token", "status": 503, "probability": 0.2],
            ]
            for fault in faults { try await harness.sandbox.control("POST", "faults", fault) }
            let started = Date()
            try await Self.run(harness, seed: 21, operations: 200, faults: true)
            #expect(!harness.sleeper.waits.isEmpty)
            #expect(Date().timeIntervalSince(started) < 240)
        }
    }
}
