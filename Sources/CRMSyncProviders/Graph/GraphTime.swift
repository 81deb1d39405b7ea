import Foundation

/// Graph's `dateTimeTimeZone` values read and written.
enum GraphTime {
    /// The instant a `dateTimeTimeZone` denotes.
    static func instant(_ value: GraphDateTimeTimeZone) throws(ProviderError) -> Date {
        guard let wall = WallTime(parsing: value.dateTime) else { throw .invalidResponse("Graph dateTime is malformed") }
        return wall.instant(in: self.zone(value.timeZone))
    }

    /// The date of an all-day boundary: the wall date when it is midnight, else the date the
    /// instant falls on in the event's own zone (Graph returns all-day events in the zone the
    /// request preferred).
    static func date(_ value: GraphDateTimeTimeZone, eventZone: String) throws(ProviderError) -> LocalDate {
        guard let wall = WallTime(parsing: value.dateTime) else { throw .invalidResponse("Graph dateTime is malformed") }
        if wall.isMidnight { return wall.date }
        let instant = wall.instant(in: self.zone(value.timeZone))
        return WallTime(instant, in: self.zone(eventZone)).date
    }

    /// The zone for a Graph zone name; UTC when it is unknown (custom `tzone://` zones).
    static func zone(_ name: String?) -> TimeZone {
        name.flatMap(WindowsTimeZones.ianaName(forGraphZone:)).flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
    }

    /// The Graph zone name for an IANA zone: its Windows name, or the IANA name itself.
    static func graphZoneName(_ iana: String) -> String {
        WindowsTimeZones.windowsName(forIANA: iana) ?? iana
    }

    /// A `dateTimeTimeZone` for an instant in an IANA zone, as a wall time with seven digits.
    static func value(_ instant: Date, zone iana: String) -> GraphDateTimeTimeZone {
        let zone = TimeZone(identifier: iana) ?? TimeZone(identifier: "UTC")!
        return GraphDateTimeTimeZone(dateTime: WallTime(instant, in: zone).formatted(fractionDigits: 7), timeZone: self.graphZoneName(iana))
    }

    /// A midnight `dateTimeTimeZone` for an all-day boundary.
    static func value(_ date: LocalDate) -> GraphDateTimeTimeZone {
        GraphDateTimeTimeZone(dateTime: WallTime(date: date, hour: 0, minute: 0, second: 0).formatted(fractionDigits: 7), timeZone: "UTC")
    }
}
