import CRMSyncTestSupport
import Foundation

/// What both sides must agree on about one event: title and when. All-day events are whole
/// UTC days (00:00 to 00:00, end exclusive); the time zone is compared only for timed events.
struct EventShape: Sendable, Hashable, CustomStringConvertible {
    var title: String
    var start: Date
    var end: Date
    var allDay: Bool
    var timeZone: String = "UTC"

    /// A timed event `day` days from today at `hour` UTC, `minutes` long.
    static func timed(_ title: String, day: Int, hour: Int, minutes: Int = 60, zone: String = "Europe/Berlin") -> EventShape {
        let midnight = (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        let start = Date(timeIntervalSince1970: midnight + Double(day * 86_400 + hour * 3600))
        return EventShape(title: title, start: start, end: start.addingTimeInterval(Double(minutes * 60)), allDay: false, timeZone: zone)
    }

    /// An all-day event over `days` days starting `day` days from today.
    static func allDay(_ title: String, day: Int, days: Int = 1) -> EventShape {
        let midnight = (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        let start = Date(timeIntervalSince1970: midnight + Double(day * 86_400))
        return EventShape(title: title, start: start, end: start.addingTimeInterval(Double(days * 86_400)), allDay: true, timeZone: "UTC")
    }

    /// The comparable part: title, and times to the second (zones are checked where a test
    /// cares, since Outlook's control API renders everything in UTC).
    var key: String {
        "\(self.title)|\(Int(self.start.timeIntervalSince1970))|\(Int(self.end.timeIntervalSince1970))|\(self.allDay)"
    }

    var description: String { self.key }

    var date: String { Self.day(self.start) }
    var endDate: String { Self.day(self.end) }

    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    static func instant(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Parses RFC 3339 with or without fractional seconds, or a `YYYY-MM-DD` date (00:00 UTC).
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if text.count == 10 {
            formatter.formatOptions = [.withFullDate]
            formatter.timeZone = TimeZone(identifier: "UTC")
            return formatter.date(from: text)
        }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        // Graph's zone-less wall time in UTC with seven fraction digits.
        let trimmed = String(text.prefix(19)) + "Z"
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: trimmed)
    }
}
