import CRMSyncProviders
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation

/// The calendar side, changed the way the person does in Google Calendar or Outlook: through
/// the sandbox's control API, no OAuth involved.
extension SyncHarness {
    var eventsPath: String {
        let email = self.email.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? self.email
        return self.provider == .google ? "google/users/\(email)/calendars/primary/events" : "microsoft/users/\(email)/events"
    }

    /// The provider's JSON for a shape.
    func body(_ shape: EventShape) -> [String: Any] {
        switch self.provider {
        case .google:
            // PATCH merges objects (JSON merge patch, as Google does): switching between
            // all-day and timed must null the other form explicitly.
            if shape.allDay {
                return [
                    "summary": shape.title, "start": ["date": shape.date, "dateTime": NSNull(), "timeZone": NSNull()],
                    "end": ["date": shape.endDate, "dateTime": NSNull(), "timeZone": NSNull()],
                ]
            }
            return [
                "summary": shape.title,
                "start": ["dateTime": EventShape.instant(shape.start), "timeZone": shape.timeZone, "date": NSNull()],
                "end": ["dateTime": EventShape.instant(shape.end), "timeZone": shape.timeZone, "date": NSNull()],
            ]
        case .outlook:
            if shape.allDay {
                return [
                    "subject": shape.title, "isAllDay": true,
                    "start": ["dateTime": shape.date + "T00:00:00", "timeZone": "UTC"],
                    "end": ["dateTime": shape.endDate + "T00:00:00", "timeZone": "UTC"],
                ]
            }
            let wall = { (date: Date) in String(EventShape.instant(date).prefix(19)) }
            return [
                "subject": shape.title, "isAllDay": false,
                "start": ["dateTime": wall(shape.start), "timeZone": "UTC"],
                "end": ["dateTime": wall(shape.end), "timeZone": "UTC"],
            ]
        }
    }

    @discardableResult
    func createEvent(_ shape: EventShape) async throws -> String {
        let answer = try await self.sandbox.control("POST", self.eventsPath, self.body(shape).withoutNulls)
        guard let id = answer["id"] as? String else { throw TestSetupError("the sandbox returned no event id") }
        return id
    }

    func updateEvent(_ id: String, to shape: EventShape) async throws {
        try await self.sandbox.control("PATCH", "\(self.eventsPath)/\(id)", self.body(shape))
    }

    func renameEvent(_ id: String, to title: String) async throws {
        try await self.sandbox.control("PATCH", "\(self.eventsPath)/\(id)", [self.provider == .google ? "summary" : "subject": title])
    }

    func deleteEvent(_ id: String) async throws {
        try await self.sandbox.control("DELETE", "\(self.eventsPath)/\(id)")
    }

    /// The calendar's live events by id.
    func events() async throws -> [String: EventShape] {
        let answer = try await self.sandbox.control("GET", self.eventsPath)
        let items = (answer["items"] ?? answer["value"]) as? [[String: Any]] ?? []
        var result: [String: EventShape] = [:]
        for item in items {
            if let id = item["id"] as? String, let shape = self.shape(of: item) { result[id] = shape }
        }
        return result
    }

    /// The shape of a live provider item (Google or Graph JSON); nil when cancelled or unreadable.
    func shape(of item: [String: Any]) -> EventShape? {
        if (item["status"] as? String) == "cancelled" || (item["isCancelled"] as? Bool) == true { return nil }
        let start = (item["start"] as? [String: Any] ?? [:]).withoutNulls
        let end = (item["end"] as? [String: Any] ?? [:]).withoutNulls
        let allDay = (item["isAllDay"] as? Bool) ?? (start["date"] != nil)
        guard let startText = (start["date"] ?? start["dateTime"]) as? String, let endText = (end["date"] ?? end["dateTime"]) as? String,
              let first = EventShape.parse(startText), let last = EventShape.parse(endText)
        else { return nil }
        let title = (item["summary"] ?? item["subject"]) as? String ?? ""
        let zone = self.provider == .google ? (start["timeZone"] as? String ?? "UTC") : "UTC"
        return EventShape(title: title, start: first, end: last, allDay: allDay, timeZone: zone)
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The dictionary without `null` values, nested objects included.
    var withoutNulls: [String: Any] {
        var result: [String: Any] = [:]
        for (key, value) in self where !(value is NSNull) {
            result[key] = (value as? [String: Any])?.withoutNulls ?? value
        }
        return result
    }
}
