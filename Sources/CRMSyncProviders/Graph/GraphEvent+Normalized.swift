import Foundation

extension GraphEvent {
    /// The normalized event. Times are read in the zone each `dateTime` names (Windows or
    /// IANA); the event's zone is `originalStartTimeZone` when Graph gives it. All-day dates
    /// are taken from the wall date, never shifted.
    func normalized() throws(ProviderError) -> CalendarEvent {
        if self.removed != nil {
            return CalendarEvent(id: self.id, etag: self.etag, status: .removed)
        }
        let eventZone = [self.originalStartTimeZone, self.start?.timeZone].compactMap { $0 }
            .lazy.compactMap(WindowsTimeZones.ianaName(forGraphZone:)).first ?? "UTC"
        var event = CalendarEvent(
            id: self.id,
            etag: self.etag,
            status: self.isCancelled == true ? .cancelled : (self.showAs == "tentative" ? .tentative : .confirmed),
            title: self.subject,
            description: self.body?.content,
            descriptionFormat: self.body?.contentType?.lowercased() == "html" ? .html : .text,
            location: self.location?.displayName.flatMap { $0.isEmpty ? nil : $0 },
            seriesId: self.seriesMasterId,
            iCalUID: self.iCalUId,
            organizer: self.organizer?.emailAddress.flatMap { address in address.address.map { EventParticipant(email: $0, name: address.name) } },
            attendees: (self.attendees ?? []).compactMap(\.normalized),
            updated: self.lastModifiedDateTime.flatMap(RFC3339.parse),
            clientId: self.transactionId.flatMap(UUID.init(uuidString:))
        )
        if let start = self.start, let end = self.end {
            if self.isAllDay == true {
                event.timing = .allDay(
                    startDate: try GraphTime.date(start, eventZone: eventZone),
                    endDate: try GraphTime.date(end, eventZone: eventZone)
                )
            } else {
                event.timing = .timed(start: try GraphTime.instant(start), end: try GraphTime.instant(end), timeZone: eventZone)
            }
        }
        if let original = self.originalStart.flatMap(RFC3339.parse) {
            let wall = WallTime(original, offsetSeconds: 0)
            event.originalStart = self.isAllDay == true && wall.isMidnight ? .date(wall.date) : .dateTime(original)
        }
        return event
    }
}

extension GraphAttendee {
    var normalized: EventAttendee? {
        guard let email = self.emailAddress?.address else { return nil }
        let response: ResponseStatus = switch self.status?.response {
        case "accepted", "organizer": .accepted
        case "tentativelyAccepted": .tentative
        case "declined": .declined
        default: .needsAction
        }
        return EventAttendee(email: email, name: self.emailAddress?.name, responseStatus: response, isOptional: self.type == "optional")
    }
}
