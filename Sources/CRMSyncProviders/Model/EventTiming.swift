import Foundation

/// When an event happens.
public enum EventTiming: Sendable, Hashable, Codable {
    /// From `start` to `end` (instants), shown in `timeZone` (an IANA name such as
    /// `Europe/Berlin`).
    case timed(start: Date, end: Date, timeZone: String)
    /// Whole days from `startDate` up to, not including, `endDate`.
    case allDay(startDate: LocalDate, endDate: LocalDate)

    /// True for all-day events.
    public var isAllDay: Bool {
        if case .allDay = self { return true }
        return false
    }
}

/// The start a recurring series' rule gave an instance, identifying it within the series.
public enum OriginalStart: Sendable, Hashable, Codable {
    /// An instance of a timed series.
    case dateTime(Date)
    /// An instance of an all-day series.
    case date(LocalDate)
}
