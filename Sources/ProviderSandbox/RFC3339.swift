import Foundation

/// RFC 3339 timestamps and the offset-less local times Graph uses, without shared formatters.
enum RFC3339 {
    static let utc = TimeZone(identifier: "UTC")!

    /// A Gregorian calendar in `zone`.
    static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.f…](Z|±HH:MM)`; a space stands for '+' (unencoded query).
    static func parse(_ text: String) -> Date? {
        let text = text.replacingOccurrences(of: " ", with: "+")
        guard text.count >= 19 else { return nil }
        let body = String(text.prefix(19))
        var rest = Substring(text.dropFirst(19))
        if rest.first == "." { rest = rest.drop(while: { $0 == "." || $0.isNumber }) }
        let offset: Int
        if rest == "Z" || rest == "z" {
            offset = 0
        } else if rest.count == 6, let sign = rest.first, sign == "+" || sign == "-",
            let hours = Int(rest.dropFirst().prefix(2)), let minutes = Int(rest.suffix(2))
        {
            offset = (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard let zone = TimeZone(secondsFromGMT: offset) else { return nil }
        return Self.parseLocal(body, in: zone)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.f…]` as wall time in `zone`.
    static func parseLocal(_ text: String, in zone: TimeZone) -> Date? {
        let digits = text.split(whereSeparator: { "-T:.".contains($0) }).map { Int($0) }
        guard digits.count >= 6, let year = digits[0], let month = digits[1], let day = digits[2],
            let hour = digits[3], let minute = digits[4], let second = digits[5]
        else { return nil }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return Self.calendar(zone).date(from: components)
    }

    /// Parses `YYYY-MM-DD` as midnight in `zone`.
    static func parseDate(_ text: String, in zone: TimeZone = utc) -> Date? {
        Self.parseLocal(String(text.prefix(10)) + "T00:00:00", in: zone)
    }

    /// `2024-03-03T09:00:00Z` (UTC) or with the zone's offset, e.g. `+01:00`.
    static func format(_ date: Date, in zone: TimeZone = utc, fractionalDigits: Int = 0) -> String {
        let local = Self.formatLocal(date, in: zone, fractionalDigits: fractionalDigits)
        let offset = zone.secondsFromGMT(for: date)
        if offset == 0 && zone.identifier == "UTC" || offset == 0 && zone.identifier == "GMT" { return local + "Z" }
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        return local + sign + Self.pad(magnitude / 3600, 2) + ":" + Self.pad((magnitude % 3600) / 60, 2)
    }

    /// Wall time without offset, e.g. `2024-03-03T09:00:00.0000000` (Graph uses 7 digits).
    static func formatLocal(_ date: Date, in zone: TimeZone, fractionalDigits: Int = 0) -> String {
        let parts = Self.calendar(zone).dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        var text = "\(Self.pad(parts.year ?? 0, 4))-\(Self.pad(parts.month ?? 0, 2))-\(Self.pad(parts.day ?? 0, 2))"
        text += "T\(Self.pad(parts.hour ?? 0, 2)):\(Self.pad(parts.minute ?? 0, 2)):\(Self.pad(parts.second ?? 0, 2))"
        if fractionalDigits > 0 { text += "." + String(repeating: "0", count: fractionalDigits) }
        return text
    }

    /// `YYYY-MM-DD` of `date` in `zone`.
    static func formatDate(_ date: Date, in zone: TimeZone = utc) -> String {
        String(Self.formatLocal(date, in: zone).prefix(10))
    }

    /// Compact UTC form used in instance ids and RRULE: `20240303T090000Z`.
    static func compact(_ date: Date) -> String {
        Self.formatLocal(date, in: utc).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "") + "Z"
    }

    /// Parses `20240303T090000Z`, `20240303T090000` (in `zone`) or `20240303`.
    static func parseCompact(_ text: String, in zone: TimeZone) -> Date? {
        let chars = Array(text)
        guard chars.count >= 8 else { return nil }
        let date = "\(String(chars[0..<4]))-\(String(chars[4..<6]))-\(String(chars[6..<8]))"
        guard chars.count >= 15 else { return Self.parseDate(date, in: zone) }
        let time = "\(String(chars[9..<11])):\(String(chars[11..<13])):\(String(chars[13..<15]))"
        return Self.parseLocal(date + "T" + time, in: text.hasSuffix("Z") ? utc : zone)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
