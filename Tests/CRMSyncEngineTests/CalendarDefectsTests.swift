import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// Sync defects that damaged calendars or the CRM, against a sandbox that behaves
/// as the providers document (Graph's delta reports out-of-window writes as `@removed`).
@Suite struct CalendarDefectsTests {
    /// Appointments outside the listing window (30 days back, 365 ahead) created in the CRM
    /// are exported; the follow-up delta reports their events as `@removed`, which must not
    /// delete them: the events exist. Run after run, both sides keep them.
    @Test func outOfWindowAppointmentsSurviveGraphsRemovedReports() async throws {
        try await SyncHarness.with("defects_out_of_window", provider: .outlook) { harness in
            let later = try await harness.createAppointment(.timed("Far ahead", day: 420, hour: 9, zone: "UTC"))
            let earlier = try await harness.createAppointment(.timed("Long ago", day: -60, hour: 9, zone: "UTC"))
            let inside = try await harness.createAppointment(.timed("Next week", day: 7, hour: 9, zone: "UTC"))
            try await harness.syncUntilQuiet()
            try await harness.sync()
            let live = try await harness.appointments()
            #expect(Set(live.keys) == [later, earlier, inside])
            let events = try await harness.events()
            #expect(Set(events.values.map(\.title)) == ["Far ahead", "Long ago", "Next week"])
            let deleted = try await harness.admin().query(
                "select count(*) from public.calendar_event_mappings where calendar_account_id = \(harness.account) and remote_deleted")
            #expect(try deleted.first?.decode(Int.self, at: 0) == 0)
        }
    }

    /// An event moved out of the window in Outlook is reported as `@removed`; the
    /// appointment follows it instead of being deleted.
    @Test func eventMovedOutOfTheWindowMovesItsAppointment() async throws {
        try await SyncHarness.with("defects_moved_out", provider: .outlook) { harness in
            let id = try await harness.createEvent(.timed("Planning", day: 3, hour: 10, zone: "UTC"))
            try await harness.syncUntilQuiet()
            let moved = EventShape.timed("Planning", day: 500, hour: 10, zone: "UTC")
            try await harness.updateEvent(id, to: moved)
            try await harness.sync()
            let live = try await harness.appointments()
            #expect(live.count == 1)
            #expect(live.values.first?.key == moved.key)
        }
    }

    /// A Graph series occurrence deleted while the delta link was expired: the full relisting
    /// does not show it, so it is reconciled as deleted, like a single event.
    @Test func occurrenceDeletedWhileTheCursorWasExpiredIsDeleted() async throws {
        try await SyncHarness.with("defects_occurrence_410", provider: .outlook) { harness in
            let first = EventShape.timed("Weekly", day: 2, hour: 9, zone: "UTC")
            var body = harness.body(first)
            let startDate = first.date
            body["recurrence"] = [
                "pattern": ["type": "weekly", "interval": 1, "daysOfWeek": [Self.weekday(first.start)]],
                "range": ["type": "numbered", "startDate": startDate, "numberOfOccurrences": 4],
            ]
            try await harness.sandbox.control("POST", harness.eventsPath, body)
            let single = try await harness.createEvent(.timed("Single", day: 5, hour: 9, zone: "UTC"))
            try await harness.syncUntilQuiet()
            #expect(try await harness.appointments().count == 5)
            let occurrences = try await harness.admin().query(
                """
                select external_event_id from public.calendar_event_mappings
                 where calendar_account_id = \(harness.account) and series_id is not null order by external_event_id
                """
            ).rows.map { try $0.decode(String.self, at: 0) }
            #expect(occurrences.count == 4)
            let gone = try #require(occurrences.dropFirst().first)

            try await harness.sandbox.control("POST", "users/\(harness.email)/expire-cursors")
            try await harness.deleteEvent(gone)
            try await harness.deleteEvent(single)
            let report = try await harness.sync()
            #expect(report.fullListing)
            let titles = try await harness.appointments().values.map(\.title).sorted()
            #expect(titles == ["Weekly", "Weekly", "Weekly"])
            let mapping = try await harness.admin().query(
                "select remote_deleted from public.calendar_event_mappings where calendar_account_id = \(harness.account) and external_event_id = \(gone)")
            #expect(try mapping.first?.decode(Bool.self, at: 0) == true)
        }
    }

    static func weekday(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"][calendar.component(.weekday, from: date) - 1]
    }

    /// A refused client secret (AADSTS7000215) is the operator's: reported once, the account
    /// keeps its status (not needs_reauth), and syncing resumes once a good secret is set.
    @Test func refusedClientSecretIsTheOperatorsAndSyncResumesAfterSet() async throws {
        try await SyncHarness.with("defects_client_refused", provider: .outlook) { harness in
            try await harness.sync()
            let admin = try await harness.admin()
            func setSecret(_ secret: String) async throws {
                _ = try await OAuthClientRegistry.set(
                    provider: "microsoft", clientID: "sandbox-client", clientSecret: secret, organization: nil, key: harness.database.key,
                    on: admin)
            }
            try await setSecret("expired-secret")
            try await harness.sandbox.control("POST", "users/\(harness.email)/expire-access-tokens")
            let refused = try await harness.sync(expect: .failed)
            #expect(refused.oauthClientRejected && !refused.needsReconnect)
            let reported = try await admin.query("select rejected_at from public.oauth_client_status where provider = 'microsoft'")
            let firstReport = try reported.first?.decode(Date?.self, at: 0)
            #expect(firstReport != nil)
            let again = try await harness.sync(expect: .failed)
            #expect(again.oauthClientRejected)
            let stillFirst = try await admin.query("select rejected_at from public.oauth_client_status where provider = 'microsoft'")
            #expect(try stillFirst.first?.decode(Date?.self, at: 0) == firstReport)
            var account = try await admin.query(
                "select connection_status, consecutive_failures, next_sync_at > now() from public.calendar_accounts where id = \(harness.account)")
            #expect(try account.first?.decode(String.self, at: 0) == "connected")
            #expect(try account.first?.decode(Int.self, at: 1) == 0)
            #expect(try account.first?.decode(Bool.self, at: 2) == true)

            try await setSecret("sandbox-secret")
            let cleared = try await admin.query("select rejected_at from public.oauth_client_status where provider = 'microsoft'")
            #expect(try cleared.first?.decode(Date?.self, at: 0) == nil)
            account = try await admin.query("select next_sync_at <= now() from public.calendar_accounts where id = \(harness.account)")
            #expect(try account.first?.decode(Bool.self, at: 0) == true)
            try await harness.sync(expect: .success)
        }
    }
}
