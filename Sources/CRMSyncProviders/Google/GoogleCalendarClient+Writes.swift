import Foundation

extension GoogleCalendarClient {
    /// Reads one event. A timed event whose start names no zone (an offset only) is read in
    /// the calendar's zone, as a listing does with the list's `timeZone`; a single event
    /// carries no calendar zone, so it is asked for (`calendars.get`) when needed.
    public func event(id: String) async throws(ProviderError) -> CalendarEvent {
        let response = try await self.send("GET", self.eventURL(id))
        let event = try JSONCoding.decode(GoogleEvent.self, from: response.body, what: "event")
        var zone: String?
        if event.start?.dateTime != nil, event.start?.timeZone == nil {
            zone = try await self.calendarTimeZone()
        }
        return try event.normalized(calendarTimeZone: zone)
    }

    /// The calendar's own time zone (`GET /calendars/{calendarId}`, field `timeZone`).
    public func calendarTimeZone() async throws(ProviderError) -> String? {
        let url = URLEncoding.url(self.endpoints.googleAPIBase, path: ["calendars", self.calendarId])
        let response = try await self.send("GET", url)
        return try JSONCoding.decode(GoogleCalendarResource.self, from: response.body, what: "calendar").timeZone
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

    /// Patches the event with `If-Match: etag` when given; a stale etag throws `conflict`.
    /// Reads the event first and sends only the fields `event` changes (`EventChanges`):
    /// Google merges a PATCH into the stored event, so what is omitted stays (attendees the
    /// CRM does not manage, an HTML description whose text the CRM did not change, fields
    /// crmsync does not model). A changed timing sends its other form as `null` (`"date": null`
    /// when timed, `"dateTime": null, "timeZone": null` when all-day) so a patch that switches
    /// forms does not keep the old one. Nothing changed: no PATCH, the event as read is returned.
    public func update(_ event: CalendarEvent, ifMatch etag: String?) async throws(ProviderError) -> CalendarEvent {
        guard let id = event.id else { throw .invalidArgument("update needs the event id") }
        let current = try await self.event(id: id)
        // Changed since the caller's version: what the PATCH would answer (412), said early.
        if let etag, let now = current.etag, now != etag, !current.isTombstone { throw .conflict }
        let changes = EventChanges(writing: event, over: current)
        let stamps = event.clientId != nil && current.clientId != event.clientId
        if changes.isEmpty && !stamps { return current }
        let full = GoogleEvent(event)
        var resource = GoogleEvent()
        if changes.title { resource.summary = event.title ?? "" }
        if changes.description { resource.description = event.description ?? "" }
        if changes.location { resource.location = event.location ?? "" }
        if changes.timing {
            resource.start = full.start
            resource.end = full.end
            resource.start?.replacing = true
            resource.end?.replacing = true
        }
        // Only a caller that manages attendees writes them, an empty list included.
        if changes.attendees { resource.attendees = full.attendees ?? [] }
        // The appointment's id, so that an event linked to an appointment stays linked.
        if stamps { resource.extendedProperties = full.extendedProperties }
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

/// The `calendars.get` fields read.
struct GoogleCalendarResource: Decodable {
    var timeZone: String?
}

/// The OpenID userinfo response.
struct GoogleUserInfo: Decodable {
    var email: String?
}
