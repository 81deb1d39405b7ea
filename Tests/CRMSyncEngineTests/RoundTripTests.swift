import CRMSyncEngine
import CRMSyncProviders
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// Import, export, edits and deletions both ways, and no echo, against the sandbox.
@Suite("sync round trips")
struct RoundTripTests {
    @Test("the first sync imports every event as an appointment with one mapping; a replay changes nothing")
    func importsAndReplays() async throws {
        try await SyncHarness.with("sync_import", pageSize: 3) { harness in
            for day in 1...7 {
                try await harness.createEvent(.timed("Meeting \(day)", day: day, hour: 9 + day % 5))
            }
            try await harness.createEvent(.allDay("Offsite", day: 10, days: 2))
            let first = try await harness.sync(expect: .success)
            #expect(first.counts.imported == 8)
            #expect(first.pages >= 3)
            #expect(try await harness.appointments().count == 8)
            try await harness.expectConverged()
            // Replay the same listing from scratch: the import is idempotent.
            let replay = try await harness.sync(full: true, expect: .success)
            #expect(replay.counts.changedNothing, "\(replay.counts)")
            #expect(try await harness.mappings().count == 8)
            try await harness.expectQuiet()
            let log = try await harness.admin().query(
                "select status, events_imported from public.calendar_sync_log where calendar_account_id = \(harness.account) order by started_at")
            #expect(log.count == 3)
            #expect(try log.rows.first?.decode(String.self, at: 0) == "success")
            #expect(try log.rows.first?.decode(Int.self, at: 1) == 8)
        }
    }

    @Test("edits and deletions travel both ways; no echo over several rounds")
    func editsBothWays() async throws {
        try await SyncHarness.with("sync_edits") { harness in
            let remote = try await harness.createEvent(.timed("From the calendar", day: 2, hour: 10))
            let local = try await harness.createAppointment(.timed("From the CRM", day: 3, hour: 14, zone: "America/New_York"))
            let allDay = try await harness.createAppointment(.allDay("Holiday", day: 5, days: 3))
            let first = try await harness.sync(expect: .success)
            #expect(first.counts.imported == 1)
            #expect(first.counts.exported == 2)
            try await harness.expectConverged()
            // The zone survives the trip.
            let exported = try await harness.events().values.first { $0.title == "From the CRM" }
            #expect(exported?.timeZone == "America/New_York")
            for _ in 0..<2 {
                let again = try await harness.sync(expect: .success)
                #expect(again.counts.changedNothing, "echo: \(again.counts)")
            }

            // Edit both sides (different events).
            try await harness.updateEvent(remote, to: .timed("From the calendar, moved", day: 4, hour: 11, minutes: 90))
            try await harness.updateAppointment(local, to: .timed("From the CRM, renamed", day: 3, hour: 15, zone: "America/New_York"))
            let second = try await harness.sync(expect: .success)
            #expect(second.counts.imported == 1)
            #expect(second.counts.exported == 1)
            #expect(second.counts.updated == 2)
            try await harness.expectConverged()
            try await harness.expectQuiet()
            try await harness.expectQuiet()

            // Delete both sides.
            try await harness.deleteEvent(remote)
            try await harness.deleteAppointment(allDay)
            let third = try await harness.sync(expect: .success)
            #expect(third.counts.deleted == 2, "\(third.counts)")
            try await harness.expectConverged()
            #expect(try await harness.appointments().count == 1)
            #expect(try await harness.events().count == 1)
            try await harness.expectQuiet()
        }
    }

    @Test("an expired cursor means a full listing that duplicates nothing and deletes nothing")
    func cursorExpiry() async throws {
        try await SyncHarness.with("sync_cursor", pageSize: 4) { harness in
            for day in 1...6 { try await harness.createEvent(.timed("E\(day)", day: day, hour: 8)) }
            try await harness.createAppointment(.timed("CRM only", day: 9, hour: 9))
            try await harness.sync(expect: .success)
            try await harness.createEvent(.timed("Added later", day: 12, hour: 9))
            try await harness.sandbox.control("POST", "users/\(harness.email)/expire-cursors")
            let report = try await harness.sync(expect: .success)
            #expect(report.fullListing)
            #expect(report.counts.imported == 1, "\(report.counts)")
            #expect(report.counts.deleted == 0)
            #expect(try await harness.appointments().count == 8)
            try await harness.expectConverged()
            try await harness.expectQuiet()
        }
    }

    @Test("outlook: import, export, edits and deletions converge")
    func outlookRoundTrip() async throws {
        try await SyncHarness.with("sync_outlook", provider: .outlook, pageSize: 3) { harness in
            let remote = try await harness.createEvent(.timed("Outlook meeting", day: 2, hour: 10))
            try await harness.createEvent(.allDay("Outlook day", day: 6))
            let local = try await harness.createAppointment(.timed("CRM meeting", day: 3, hour: 13))
            try await harness.sync(expect: .success)
            try await harness.expectConverged()
            try await harness.expectQuiet()
            try await harness.renameEvent(remote, to: "Outlook meeting, renamed")
            try await harness.deleteAppointment(local)
            try await harness.sync(expect: .success)
            try await harness.expectConverged()
            try await harness.expectQuiet()
        }
    }
}
