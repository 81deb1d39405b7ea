import Foundation

extension GraphCalendarClient {
    /// `Prefer` for event reads and writes: times in UTC, and bodies as text. The CRM holds
    /// descriptions as plain text, so it asks Graph for the text of a body (Graph converts an
    /// HTML body) and sends its text as `contentType: text`; an update sends the body only
    /// when the CRM changed that text, so an HTML body written in Outlook keeps its formatting.
    static let eventPreferences = "outlook.timezone=\"UTC\", outlook.body-content-type=\"text\""

    /// Reads one event.
    public func event(id: String) async throws(ProviderError) -> CalendarEvent {
        let response = try await self.send("GET", self.url(["me", "events", id]), headers: ["Prefer": Self.eventPreferences])
        return try JSONCoding.decode(GraphEvent.self, from: response.body, what: "event").normalized()
    }

    /// Creates an event. With a `clientId` it goes out as `transactionId`, so Graph answers a
    /// retried POST with the event the first attempt created instead of a second one.
    public func create(_ event: CalendarEvent) async throws(ProviderError) -> CalendarEvent {
        var resource = GraphEvent(event).writable
        resource.isCancelled = nil
        let response = try await self.send(
            "POST", self.url(self.calendarPath + ["events"]), body: try JSONCoding.encode(resource),
            headers: ["Prefer": Self.eventPreferences])
        return try JSONCoding.decode(GraphEvent.self, from: response.body, what: "event").normalized()
    }

    /// Updates the event with `If-Match: etag` when given; a stale etag throws `conflict`.
    /// Reads the event first and PATCHes only the fields `event` changes (`EventChanges`):
    /// Graph keeps what a PATCH omits, so attendees the CRM does not manage stay invited and an
    /// HTML body whose text the CRM did not change stays as it is. Nothing changed: no PATCH,
    /// the event as read is returned.
    public func update(_ event: CalendarEvent, ifMatch etag: String?) async throws(ProviderError) -> CalendarEvent {
        guard let id = event.id else { throw .invalidArgument("update needs the event id") }
        let current = try await self.event(id: id)
        // Changed since the caller's version: what the PATCH would answer (412), said early.
        if let etag, let now = current.etag, now != etag, !current.isTombstone { throw .conflict }
        let changes = EventChanges(writing: event, over: current)
        if changes.isEmpty { return current }
        let full = GraphEvent(event).writable
        var resource = GraphEvent()
        if changes.title { resource.subject = event.title ?? "" }
        if changes.description {
            resource.body = GraphItemBody(contentType: event.descriptionFormat.rawValue, content: event.description ?? "")
        }
        if changes.location { resource.location = GraphLocation(displayName: event.location ?? "") }
        if changes.timing {
            resource.isAllDay = full.isAllDay
            resource.start = full.start
            resource.end = full.end
            resource.originalStartTimeZone = full.originalStartTimeZone
            resource.originalEndTimeZone = full.originalEndTimeZone
        }
        // Only a caller that manages attendees writes them, an empty list included.
        if changes.attendees { resource.attendees = full.attendees ?? [] }
        var headers = ["Prefer": Self.eventPreferences]
        if let etag { headers["If-Match"] = etag }
        let response = try await self.send("PATCH", self.url(["me", "events", id]), body: try JSONCoding.encode(resource), headers: headers)
        return try JSONCoding.decode(GraphEvent.self, from: response.body, what: "event").normalized()
    }

    /// Deletes an event, with `If-Match` when an etag is given. Throws `gone` when it does
    /// not exist and `conflict` when the etag is stale.
    public func delete(id: String, ifMatch etag: String?) async throws(ProviderError) {
        let headers = etag.map { ["If-Match": $0] } ?? [:]
        _ = try await self.send("DELETE", self.url(["me", "events", id]), headers: headers)
    }
}
