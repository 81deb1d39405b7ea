import Foundation

extension GraphEvent {
    /// The Graph resource for a normalized event.
    init(_ event: CalendarEvent) {
        self.id = event.id
        self.etag = event.etag
        if event.status == .removed { self.removed = GraphRemoved(reason: "deleted") }
        self.subject = event.title
        self.body = event.description.map { GraphItemBody(contentType: event.descriptionFormat.rawValue, content: $0) }
        self.location = event.location.map { GraphLocation(displayName: $0) }
        self.isCancelled = event.status == .cancelled ? true : nil
        self.showAs = event.status == .tentative ? "tentative" : nil
        self.seriesMasterId = event.seriesId
        self.iCalUId = event.iCalUID
        self.organizer = event.organizer.map { GraphRecipient(emailAddress: GraphEmailAddress(name: $0.name, address: $0.email)) }
        self.attendees = event.attendees.isEmpty ? nil : event.attendees.map(GraphAttendee.init)
        self.lastModifiedDateTime = event.updated.map { RFC3339.format($0) }
        self.transactionId = event.clientId?.uuidString.lowercased()
        switch event.timing {
        case .timed(let start, let end, let zone)?:
            self.isAllDay = false
            self.start = GraphTime.value(start, zone: zone)
            self.end = GraphTime.value(end, zone: zone)
            self.originalStartTimeZone = GraphTime.graphZoneName(zone)
            self.originalEndTimeZone = GraphTime.graphZoneName(zone)
        case .allDay(let startDate, let endDate)?:
            self.isAllDay = true
            self.start = GraphTime.value(startDate)
            self.end = GraphTime.value(endDate)
        case nil:
            break
        }
        switch event.originalStart {
        case .dateTime(let instant)?: self.originalStart = RFC3339.format(instant)
        case .date(let date)?: self.originalStart = WallTime(date: date, hour: 0, minute: 0, second: 0).formatted() + "Z"
        case nil: break
        }
        if event.seriesId != nil { self.type = "occurrence" }
    }

    /// Only the fields a create or update may carry.
    var writable: GraphEvent {
        var copy = self
        copy.id = nil
        copy.etag = nil
        copy.removed = nil
        copy.isCancelled = nil
        copy.lastModifiedDateTime = nil
        copy.type = nil
        copy.seriesMasterId = nil
        copy.originalStart = nil
        copy.iCalUId = nil
        copy.organizer = nil
        copy.attendees = copy.attendees?.map { GraphAttendee(type: $0.type, status: nil, emailAddress: $0.emailAddress) }
        return copy
    }
}

extension GraphAttendee {
    init(_ attendee: EventAttendee) {
        let response = switch attendee.responseStatus {
        case .accepted: "accepted"
        case .tentative: "tentativelyAccepted"
        case .declined: "declined"
        case .needsAction: "none"
        }
        self.init(
            type: attendee.isOptional ? "optional" : "required",
            status: GraphResponseStatus(response: response),
            emailAddress: GraphEmailAddress(name: attendee.name, address: attendee.email)
        )
    }
}
