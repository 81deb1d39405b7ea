import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import Testing

/// Recurring series in the random sequences: the person creates weekly series in the
/// calendar and then edits, moves and cancels single instances (or the CRM changes or
/// deletes the appointment of one); both sides must still converge.
extension ConvergenceTests {
    @Test("google: series with edited, moved and cancelled instances converge under every strategy", arguments: [
        ("manual", UInt64(31)), ("crm_wins", 32), ("calendar_wins", 33), ("latest_wins", 34),
    ])
    func googleSeries(strategy: String, seed: UInt64) async throws {
        try await SyncHarness.with("converge_series_\(strategy)", strategy: strategy, pageSize: 20) { harness in
            try await Self.run(harness, seed: seed, operations: 200, series: true)
            // the sequence did reach instances: mapped ones, and edited or cancelled ones
            let instances = try await harness.admin().query(
                "select count(*) from public.calendar_event_mappings where calendar_account_id = \(harness.account) and series_id is not null")
            #expect(try instances.first?.decode(Int.self, at: 0) ?? 0 > 0)
            let stored = try await harness.sandbox.control("GET", harness.eventsPath)
            let exceptions = (stored["items"] as? [[String: Any]] ?? []).filter { $0["recurringEventId"] != nil }
            #expect(!exceptions.isEmpty)
        }
    }
}
