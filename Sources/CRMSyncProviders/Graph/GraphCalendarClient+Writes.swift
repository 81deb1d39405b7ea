import Foundation

extension GraphCalendarClient {
    /// Reads one event.
    public func event(id: String) async throws(ProviderError) -> CalendarEvent {
        let response = try await self.send("GET", self.url(["me", "events", id]))
        return try JSONCoding.decode(GraphEvent.self, from: response.body, what: "event").normalized()
    }

    /// Creates an event. With a `clientId` it goes out as `transactionId`, so Graph answers a
    /// retried POST with the event the first attempt created instead of a second one.
    public func create(_ event: CalendarEvent) async throws(ProviderError) -> CalendarEvent {
        var resource = GraphEvent(event).writable
        resource.isCancelled = nil
        let response = try await self.send("POST", self.url(self.calendarPath + ["events"]), body: try JSONCoding.encode(resource))
        return try JSONCoding.decode(GraphEvent.self, from: response.body, what: "event").normalized()
    }

    /// Updates the event's fields with `If-Match: etag` when given; a stale etag throws
    /// `conflict`.
    public func update(_ event: CalendarEvent, ifMatch etag: String?) async throws(ProviderError) -> CalendarEvent {
        guard let id = event.id else { throw .invalidArgument("update needs the event id") }
        var resource = GraphEvent(event).writable
        resource.transactionId = nil
        resource.location = GraphLocation(displayName: event.location ?? "")
        resource.attendees = resource.attendees ?? []
        resource.subject = event.title ?? ""
        resource.body = GraphItemBody(contentType: event.descriptionFormat.rawValue, content: event.description ?? "")
        let headers = etag.map { ["If-Match": $0] } ?? [:]
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
