import Foundation

/// RFC 3339 timestamps (`2026-03-08T09:00:00-08:00`, `2026-03-08T17:00:00.000Z`), parsed and
/// written without a shared formatter.
public enum RFC3339 {
    /// Parses a timestamp with `Z` or a `±HH:MM` offset; returns nil without one.
    public static func parse(_ string: String) -> Date? {
        var text = Substring(string)
        let offset: Int
        if text.hasSuffix("Z") || text.hasSuffix("z") {
            offset = 0
            text = text.dropLast()
        } else {
            guard text.count > 6 else { return nil }
            let zone = text.suffix(6)
            let sign = zone.first
            let parts = zone.dropFirst().split(separator: ":")
            guard sign == "+" || sign == "-", parts.count == 2,
                  let hours = Int(parts[0]), let minutes = Int(parts[1]), parts[0].count == 2, parts[1].count == 2
            else { return nil }
            offset = (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
            text = text.dropLast(6)
        }
        guard let wall = WallTime(parsing: text), text.contains(where: { $0 == ":" }) else { return nil }
        return wall.instant(offsetSeconds: offset)
    }

    /// Writes `date` in UTC (`Z`), with a fraction (up to seven digits) only when it is not zero.
    public static func format(_ date: Date) -> String {
        self.format(date, offsetSeconds: 0)
    }

    /// Writes `date` as a wall time at `offsetSeconds` from UTC, with that offset.
    public static func format(_ date: Date, offsetSeconds: Int) -> String {
        let wall = WallTime(date, offsetSeconds: offsetSeconds)
        let ticks = min((wall.nanosecond + 50) / 100, 9_999_999)
        var text = wall.formatted()
        if ticks > 0 {
            var digits = String(ticks).leftPadded(to: 7)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        if offsetSeconds == 0 { return text + "Z" }
        let sign = offsetSeconds < 0 ? "-" : "+"
        let magnitude = abs(offsetSeconds)
        return text + sign + String(magnitude / 3600).leftPadded(to: 2) + ":" + String(magnitude % 3600 / 60).leftPadded(to: 2)
    }

    /// Writes `date` as a wall time in `zone`, with the zone's offset at that instant.
    public static func format(_ date: Date, in zone: TimeZone) -> String {
        self.format(date, offsetSeconds: zone.secondsFromGMT(for: date))
    }
}
