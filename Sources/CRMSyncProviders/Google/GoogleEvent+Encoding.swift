import Foundation

extension GoogleEvent {
    /// The Google resource for a normalized event (for insert, patch, and tests).
    init(_ event: CalendarEvent) {
        self.id = event.id
        self.etag = event.etag
        self.status = event.status == .removed ? "cancelled" : event.status.rawValue
        self.summary = event.title
        self.description = event.description
        self.location = event.location
        self.recurringEventId = event.seriesId
        self.iCalUID = event.iCalUID
        self.organizer = event.organizer.map { GooglePerson(email: $0.email, displayName: $0.name) }
        self.attendees = event.attendees.isEmpty ? nil : event.attendees.map {
            GoogleAttendee(email: $0.email, displayName: $0.name, responseStatus: $0.responseStatus.rawValue, optional: $0.isOptional ? true : nil)
        }
        self.updated = event.updated.map { RFC3339.format($0) }
        if let clientId = event.clientId {
            self.extendedProperties = GoogleExtendedProperties(private: [Self.clientIdProperty: clientId.uuidString.lowercased()])
        }
        var zone = "UTC"
        switch event.timing {
        case .timed(let start, let end, let timeZone)?:
            zone = timeZone
            self.start = GoogleEventDateTime(dateTime: Self.format(start, zone: timeZone), timeZone: timeZone)
            self.end = GoogleEventDateTime(dateTime: Self.format(end, zone: timeZone), timeZone: timeZone)
        case .allDay(let startDate, let endDate)?:
            self.start = GoogleEventDateTime(date: startDate.iso)
            self.end = GoogleEventDateTime(date: endDate.iso)
        case nil:
            break
        }
        switch event.originalStart {
        case .dateTime(let instant)?:
            self.originalStartTime = GoogleEventDateTime(dateTime: Self.format(instant, zone: zone), timeZone: zone)
        case .date(let date)?:
            self.originalStartTime = GoogleEventDateTime(date: date.iso)
        case nil:
            break
        }
    }

    /// RFC 3339 with the zone's offset at that instant (UTC when the zone is unknown).
    static func format(_ date: Date, zone: String) -> String {
        TimeZone(identifier: zone).map { RFC3339.format(date, in: $0) } ?? RFC3339.format(date)
    }
}
