/// The fields an update writes: those where the caller's event differs from the event as the
/// provider has it now.
///
/// An update reads the event first and sends only these, so a CRM edit never rewrites what the
/// CRM does not own or did not change: an HTML description keeps its formatting while its text
/// is unchanged, attendees are written only when the caller manages them
/// (`CalendarEvent.writesAttendees`), an unchanged time sends no meeting update. The `If-Match`
/// of the write still guards against a change between the read and the write.
struct EventChanges: Sendable, Hashable {
    var title = false
    var description = false
    var location = false
    var timing = false
    var attendees = false

    /// What writing `event` over `current` changes; everything the caller owns when the
    /// current state is unknown or deleted (the write then fails as the provider decides).
    init(writing event: CalendarEvent, over current: CalendarEvent?) {
        guard let current, !current.isTombstone else {
            self.title = true
            self.description = true
            self.location = true
            self.timing = event.timing != nil
            self.attendees = event.writesAttendees
            return
        }
        self.title = (event.title ?? "") != (current.title ?? "")
        // Compared as text: the CRM's text against the text of what the provider holds.
        self.description = (event.plainTextDescription ?? "") != (current.plainTextDescription ?? "")
        self.location = (event.location ?? "") != (current.location ?? "")
        self.timing = event.timing.map { !Self.same($0, current.timing) } ?? false
        self.attendees = event.writesAttendees && event.attendees != current.attendees
    }

    /// The same timing; instants within a millisecond (the providers and the database keep
    /// different fractions of a second).
    static func same(_ one: EventTiming, _ other: EventTiming?) -> Bool {
        switch (one, other) {
        case (.timed(let start, let end, let zone), .timed(let otherStart, let otherEnd, let otherZone)?):
            abs(start.timeIntervalSince(otherStart)) < 0.001 && abs(end.timeIntervalSince(otherEnd)) < 0.001 && zone == otherZone
        case (.allDay, _): one == other
        default: false
        }
    }

    /// True when the write would change nothing.
    var isEmpty: Bool {
        !(self.title || self.description || self.location || self.timing || self.attendees)
    }
}
