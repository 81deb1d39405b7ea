import Foundation

extension GoogleEvent {
    /// The private extended property that carries crmsync's appointment id.
    static let clientIdProperty = "crmsyncAppointmentId"

    /// The normalized event; `calendarTimeZone` is used when a timed start names no zone.
    func normalized(calendarTimeZone: String? = nil) throws(ProviderError) -> CalendarEvent {
        let zone = self.start?.timeZone ?? calendarTimeZone ?? "UTC"
        var event = CalendarEvent(
            id: self.id,
            etag: self.etag,
            status: EventStatus(googleStatus: self.status),
            title: self.summary,
            description: self.description.flatMap { $0.isEmpty ? nil : $0 },
            descriptionFormat: HTMLText.looksLikeHTML(self.description) ? .html : .text,
            location: self.location.flatMap { $0.isEmpty ? nil : $0 },
            seriesId: self.recurringEventId,
            iCalUID: self.iCalUID,
            organizer: self.organizer.flatMap { person in person.email.map { EventParticipant(email: $0, name: person.displayName) } },
            attendees: (self.attendees ?? []).compactMap(\.normalized),
            updated: self.updated.flatMap(RFC3339.parse),
            clientId: self.extendedProperties?.private?[Self.clientIdProperty].flatMap(UUID.init(uuidString:))
        )
        if let start = self.start, let end = self.end {
            event.timing = try Self.timing(start: start, end: end, zone: zone)
        }
        if let original = self.originalStartTime {
            if let date = original.date.flatMap({ LocalDate(iso: $0) }) {
                event.originalStart = .date(date)
            } else if let instant = original.dateTime.flatMap(RFC3339.parse) {
                event.originalStart = .dateTime(instant)
            }
        }
        return event
    }

    static func timing(start: GoogleEventDateTime, end: GoogleEventDateTime, zone: String) throws(ProviderError) -> EventTiming {
        if let startDate = start.date, let endDate = end.date {
            guard let first = LocalDate(iso: startDate), let last = LocalDate(iso: endDate) else {
                throw .invalidResponse("event date is not YYYY-MM-DD")
            }
            return .allDay(startDate: first, endDate: last)
        }
        guard let startText = start.dateTime, let endText = end.dateTime,
              let first = RFC3339.parse(startText), let last = RFC3339.parse(endText)
        else { throw .invalidResponse("event dateTime is not RFC 3339") }
        return .timed(start: first, end: last, timeZone: zone)
    }
}

extension GoogleAttendee {
    var normalized: EventAttendee? {
        guard let email = self.email else { return nil }
        return EventAttendee(
            email: email,
            name: self.displayName,
            responseStatus: self.responseStatus.flatMap(ResponseStatus.init(rawValue:)) ?? .needsAction,
            isOptional: self.optional ?? false
        )
    }
}

extension EventStatus {
    init(googleStatus: String?) {
        switch googleStatus {
        case "cancelled": self = .cancelled
        case "tentative": self = .tentative
        default: self = .confirmed
        }
    }
}
