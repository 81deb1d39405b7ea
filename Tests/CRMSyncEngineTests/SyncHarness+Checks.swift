import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import Testing

extension SyncHarness {
    /// Both sides hold the same events, and every live appointment maps to exactly one live
    /// event (and no two appointments to the same event).
    /// `listed`: the calendar's events when not the stored ones (series expanded).
    func expectConverged(listed: [String: EventShape]? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let appointments = try await self.appointments()
        let events: [String: EventShape]
        if let listed { events = listed } else { events = try await self.events() }
        let crm = appointments.values.map(\.key).sorted()
        let calendar = events.values.map(\.key).sorted()
        #expect(crm == calendar, "CRM and calendar differ", sourceLocation: sourceLocation)
        if crm != calendar {
            let only = Set(crm).symmetricDifference(calendar).sorted()
            Issue.record("differences: \(only.prefix(10))", sourceLocation: sourceLocation)
        }
        let mappings = try await self.mappings()
        let byAppointment = Dictionary(grouping: mappings, by: \.appointment)
        for id in appointments.keys {
            let mapped = byAppointment[id] ?? []
            #expect(mapped.count == 1, "appointment \(id) has \(mapped.count) mappings", sourceLocation: sourceLocation)
            if let event = mapped.first?.event {
                #expect(events[event]?.key == appointments[id]?.key, "appointment \(id) maps to \(event)", sourceLocation: sourceLocation)
                if events[event]?.key != appointments[id]?.key {
                    let row = try await self.admin().query(
                        """
                        select m.sync_status || ' rd=' || m.remote_deleted || ' synced=' || coalesce(m.synced_crm_version::text, '-')
                               || ' crm=' || a.crm_version || ' dir=' || m.sync_direction || ' err=' || coalesce(m.error_message, '-')
                          from public.calendar_event_mappings m join public.appointments a on a.id = m.appointment_id
                         where m.appointment_id = \(id) and m.calendar_account_id = \(self.account)
                        """).first?.decode(String.self, at: 0)
                    let all = try await self.sandbox.control("GET", self.provider == .google ? "google/users/\(self.email)/calendars/primary/events" : "microsoft/users/\(self.email)/events")
                    let items = (all["items"] ?? all["value"]) as? [[String: Any]] ?? []
                    let remote = items.first { ($0["id"] as? String) == event }
                    let etag = try await self.admin().query("select etag || ' ' || a.created_at || ' ' || a.updated_at || ' ' || coalesce(m.last_synced::text,'-') from public.calendar_event_mappings m join public.appointments a on a.id = m.appointment_id where m.appointment_id = \(id)").first?.decode(String.self, at: 0)
                    Issue.record("mapping \(row ?? "-") etag/created/updated/synced \(etag ?? "-") remote \(remote.map { "\($0["status"] ?? "-") \($0["etag"] ?? "-") \($0["updated"] ?? "-") \($0["summary"] ?? "-")" } ?? "absent")", sourceLocation: sourceLocation)
                }
            }
        }
        let eventIDs = mappings.filter { appointments[$0.appointment] != nil }.map(\.event)
        #expect(Set(eventIDs).count == eventIDs.count, "two appointments map to one event", sourceLocation: sourceLocation)
    }

    /// A further sync changes nothing.
    func expectQuiet(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let report = try await self.sync()
        #expect(report.counts.changedNothing, "a quiet sync changed \(report.counts)", sourceLocation: sourceLocation)
    }
}
