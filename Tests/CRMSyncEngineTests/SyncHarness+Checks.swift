import Foundation
import Testing

extension SyncHarness {
    /// Both sides hold the same events, and every live appointment maps to exactly one live
    /// event (and no two appointments to the same event).
    func expectConverged(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let appointments = try await self.appointments()
        let events = try await self.events()
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
