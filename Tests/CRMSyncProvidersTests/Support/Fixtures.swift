import Foundation
@testable import CRMSyncProviders

enum Fixtures {
    static func data(_ text: String) -> Data { Data(text.utf8) }

    static func date(_ text: String) -> Date {
        guard let date = RFC3339.parse(text) else { fatalError("bad fixture date \(text)") }
        return date
    }

    static func day(_ text: String) -> LocalDate {
        guard let date = LocalDate(iso: text) else { fatalError("bad fixture day \(text)") }
        return date
    }

    static func googleEvent(_ json: String) throws -> CalendarEvent {
        try JSONDecoder().decode(GoogleEvent.self, from: self.data(json)).normalized()
    }

    static func graphEvent(_ json: String) throws -> CalendarEvent {
        try JSONDecoder().decode(GraphEvent.self, from: self.data(json)).normalized()
    }

    /// Model → Google JSON → model.
    static func googleRoundTrip(_ event: CalendarEvent) throws -> CalendarEvent {
        let json = try JSONEncoder().encode(GoogleEvent(event))
        return try JSONDecoder().decode(GoogleEvent.self, from: json).normalized()
    }

    /// Model → Graph JSON → model.
    static func graphRoundTrip(_ event: CalendarEvent) throws -> CalendarEvent {
        let json = try JSONEncoder().encode(GraphEvent(event))
        return try JSONDecoder().decode(GraphEvent.self, from: json).normalized()
    }
}
