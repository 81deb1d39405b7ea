import CRMSyncSupport
import Foundation

/// When an event happens, read from provider JSON: instants, all-day flag and its zone.
struct EventTiming: Sendable {
    var start: Date
    var end: Date
    var allDay: Bool
    var zone: TimeZone

    /// From Google's `start`/`end` (`{"date"}` or `{"dateTime","timeZone"}`).
    static func google(_ json: [String: JSONValue]) -> EventTiming? {
        guard let start = json["start"], let end = json["end"] else { return nil }
        let zone = WindowsTimeZones.zone(named: start["timeZone"]?.string) ?? RFC3339.utc
        func instant(_ value: JSONValue) -> Date? {
            if let date = value["date"]?.string { return RFC3339.parseDate(date) }
            guard let text = value["dateTime"]?.string else { return nil }
            return RFC3339.parse(text) ?? RFC3339.parseLocal(text, in: WindowsTimeZones.zone(named: value["timeZone"]?.string) ?? zone)
        }
        guard let from = instant(start), let to = instant(end) else { return nil }
        let allDay = start["date"]?.string != nil
        return EventTiming(start: from, end: to, allDay: allDay, zone: allDay ? RFC3339.utc : zone)
    }

    /// From Graph's `start`/`end` (`{"dateTime","timeZone"}`, Windows or IANA names) and `isAllDay`.
    static func graph(_ json: [String: JSONValue]) -> EventTiming? {
        guard let start = json["start"], let end = json["end"],
            let startText = start["dateTime"]?.string, let endText = end["dateTime"]?.string
        else { return nil }
        let allDay = json["isAllDay"]?.bool ?? false
        let zone = WindowsTimeZones.zone(named: start["timeZone"]?.string) ?? RFC3339.utc
        let endZone = WindowsTimeZones.zone(named: end["timeZone"]?.string) ?? zone
        if allDay {
            guard let from = RFC3339.parseDate(startText), let to = RFC3339.parseDate(endText) else { return nil }
            return EventTiming(start: from, end: to, allDay: true, zone: RFC3339.utc)
        }
        guard let from = RFC3339.parse(startText) ?? RFC3339.parseLocal(startText, in: zone),
            let to = RFC3339.parse(endText) ?? RFC3339.parseLocal(endText, in: endZone)
        else { return nil }
        return EventTiming(start: from, end: to, allDay: false, zone: zone)
    }

    /// Whether the event overlaps `[windowStart, windowEnd)` (Google: end > timeMin, start < timeMax).
    func overlaps(_ windowStart: Date?, _ windowEnd: Date?) -> Bool {
        if let windowStart, self.end <= windowStart && !(self.start == self.end && self.start >= windowStart) { return false }
        if let windowEnd, self.start >= windowEnd { return false }
        return true
    }
}
