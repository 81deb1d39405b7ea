import CRMSyncEngine
import CRMSyncTestSupport
import Foundation
import Testing

/// Both sides changed the same event since the last sync.
@Suite("conflicts")
struct ConflictTests {
    /// Syncs one event into step, then changes it on both sides (the calendar last).
    static func conflicted(_ harness: SyncHarness) async throws -> (appointment: UUID, event: String) {
        let event = try await harness.createEvent(.timed("Original", day: 3, hour: 10))
        try await harness.sync(expect: .success)
        let appointment = try #require(try await harness.appointments().keys.first)
        try await harness.updateAppointment(appointment, to: .timed("CRM version", day: 3, hour: 10))
        try await Task.sleep(for: .milliseconds(1100))
        try await harness.renameEvent(event, to: "Calendar version")
        return (appointment, event)
    }

    @Test("manual keeps both versions in a conflict record until a person resolves it", arguments: ["keep_crm", "keep_calendar"])
    func manual(keep: String) async throws {
        try await SyncHarness.with("conflict_manual", strategy: "manual") { harness in
            _ = try await Self.conflicted(harness)
            let report = try await harness.sync()
            #expect(report.counts.conflicts >= 1, "\(report.counts)")
            let conflicts = try await harness.openConflicts()
            #expect(conflicts.count == 1)
            #expect(try await harness.mappings().first?.status == "conflict")
            // Nothing moves while the conflict is open.
            let waiting = try await harness.sync()
            #expect(waiting.counts.exported == 0 && waiting.counts.imported == 0, "\(waiting.counts)")
            try await harness.resolve(try #require(conflicts.first), keep: keep)
            try await harness.syncUntilQuiet()
            try await harness.expectConverged()
            let title = try await harness.appointments().values.first?.title
            #expect(title == (keep == "keep_crm" ? "CRM version" : "Calendar version"))
            #expect(try await harness.openConflicts().isEmpty)
            try await harness.expectQuiet()
        }
    }

    @Test("crm_wins, calendar_wins and latest_wins settle without a person", arguments: [
        ("crm_wins", "CRM version"), ("calendar_wins", "Calendar version"), ("latest_wins", "Calendar version"),
    ])
    func strategies(strategy: String, winner: String) async throws {
        try await SyncHarness.with("conflict_\(strategy)", strategy: strategy) { harness in
            _ = try await Self.conflicted(harness)
            try await harness.syncUntilQuiet()
            try await harness.expectConverged()
            #expect(try await harness.appointments().values.first?.title == winner)
            #expect(try await harness.openConflicts().isEmpty)
            try await harness.expectQuiet()
        }
    }
}
