import Foundation

extension GoogleCalendarClient {
    /// Reads one event.
    public func event(id: String) async throws(ProviderError) -> CalendarEvent {
        let response = try await self.send("GET", self.eventURL(id))
        return try JSONCoding.decode(GoogleEvent.self, from: response.body, what: "event").normalized()
    }

    /// Inserts an event. With a `clientId` the event id is derived from it
    /// (`GoogleEventID.derive`), so a retry after a lost response finds Google's 409
    /// `duplicate` and returns the event the first attempt created. A valid client-chosen
    /// `id` (base32hex, `GoogleEventID.isValid`) is used as is instead (an appointment's event
    /// created again after a deletion: a fresh id, while `clientId` still names the appointment).
    public func create(_ event: CalendarEvent) async throws(ProviderError) -> CalendarEvent {
        var resource = GoogleEvent(event)
        resource.id = event.id.flatMap { GoogleEventID.isValid($0) ? $0 : nil } ?? event.clientId.map(GoogleEventID.derive)
        resource.etag = nil
        resource.updated = nil
        resource.iCalUID = nil
        resource.recurringEventId = nil
        resource.originalStartTime = nil
        do {
            let response = try await self.send("POST", URLEncoding.url(self.eventsURL, query: self.writeQuery), body: try JSONCoding.encode(resource))
            return try JSONCoding.decode(GoogleEvent.self, from: response.body, what: "event").normalized()
        } catch .rejected(409, _, _) {
            guard let id = resource.id else { throw .rejected(status: 409, reason: "duplicate", message: nil) }
            return try await self.event(id: id)
        }
    }

    /// Patches the event's fields (title, description, location, timing, attendees) with
    /// `If-Match: etag` when given; a stale etag throws `conflict`. Fields that are nil are
    /// cleared; fields crmsync does not model (reminders, conferencing) are left alone. The
    /// timing's other form is sent as `null` (`"date": null` when timed, `"dateTime": null,
    /// "timeZone": null` when all-day) so a patch that switches forms does not keep the old one.
    public func update(_ event: CalendarEvent, ifMatch etag: String?) async throws(ProviderError) -> CalendarEvent {
        guard let id = event.id else { throw .invalidArgument("update needs the event id") }
        var resource = GoogleEvent(event)
        resource.id = nil
        resource.etag = nil
        resource.updated = nil
        resource.status = nil
        resource.iCalUID = nil
        resource.recurringEventId = nil
        resource.originalStartTime = nil
        resource.organizer = nil
        resource.summary = event.title ?? ""
        resource.description = event.description ?? ""
        resource.location = event.location ?? ""
        resource.attendees = resource.attendees ?? []
        resource.start?.replacing = true
        resource.end?.replacing = true
        let headers = etag.map { ["If-Match": $0] } ?? [:]
        let response = try await self.send("PATCH", self.eventURL(id, query: self.writeQuery), body: try JSONCoding.encode(resource), headers: headers)
        return try JSONCoding.decode(GoogleEvent.self, from: response.body, what: "event").normalized()
    }

    /// Deletes an event, with `If-Match` when an etag is given. Throws `gone` when it is
    /// already deleted or unknown (callers deleting may treat that as done) and `conflict`
    /// when the etag is stale.
    public func delete(id: String, ifMatch etag: String?) async throws(ProviderError) {
        let headers = etag.map { ["If-Match": $0] } ?? [:]
        _ = try await self.send("DELETE", self.eventURL(id, query: self.writeQuery), headers: headers)
    }

    /// The email address of the connected account (OpenID userinfo `email`).
    public func accountEmail() async throws(ProviderError) -> String {
        let response = try await self.send("GET", self.endpoints.googleUserInfoURL, context: .target)
        let info = try JSONCoding.decode(GoogleUserInfo.self, from: response.body, what: "userinfo")
        guard let email = info.email else { throw .invalidResponse("userinfo has no email") }
        return email
    }
}

/// The OpenID userinfo response.
struct GoogleUserInfo: Decodable {
    var email: String?
}
