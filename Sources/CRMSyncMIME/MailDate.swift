import Foundation

/// RFC 5322 dates, leniently: obsolete two- and three-digit years, zone names (UT, GMT, EST…,
/// military letters), missing seconds or zone, comments, full month names, `+01:00` offsets,
/// asctime order and ISO 8601. Anything else gives nil: a bad Date header is not a bad message.
public enum MailDate {
    private static let months: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
        "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    ]

    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "bst": 60, "cet": 60, "met": 60, "cest": 120,
        "mest": 120, "eet": 120, "eest": 180, "msk": 180, "ist": 330, "jst": 540, "kst": 540,
        "est": -300, "edt": -240, "cst": -360, "cdt": -300,
        "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "akst": -540, "akdt": -480, "hst": -600,
    ]

    public static func parse(_ value: String) -> Date? {
        // ISO 8601 from broken senders: 2024-03-05T10:00:00Z
        if let iso = self.parseISO(value) { return iso }
        var cleaned = String.UnicodeScalarView()
        var depth = 0
        for scalar in value.unicodeScalars {
            if scalar == "(" { depth += 1; continue }
            if scalar == ")" { depth = max(0, depth - 1); continue }
            if depth > 0 { continue }
            cleaned.append(scalar == "," ? " " : scalar)
        }
        let tokens = String(cleaned).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
        var numbers: [(text: Substring, position: Int)] = []
        var month: Int?
        var monthPosition = 0
        var time: (Int, Int, Int)?
        var offsetMinutes: Int?
        for (position, token) in tokens.enumerated() {
            let lower = token.lowercased()
            if token.contains(":"), !token.hasPrefix("+"), !token.hasPrefix("-"), time == nil {
                // "10:00:00" or "10:00:00+0100" glued to the zone.
                var clock = Substring(token)
                if let sign = clock.firstIndex(where: { $0 == "+" || $0 == "-" }) {
                    offsetMinutes = self.numericZone(clock[sign...])
                    clock = clock[..<sign]
                }
                let pieces = clock.split(separator: ":", omittingEmptySubsequences: false)
                guard pieces.count == 2 || pieces.count == 3,
                      let hour = Int(pieces[0]), let minute = Int(pieces[1]) else { return nil }
                let second = pieces.count == 3 ? Int(pieces[2].prefix(while: { $0.isNumber })) ?? 0 : 0
                time = (hour, minute, second)
            } else if token.hasPrefix("+") || token.hasPrefix("-") {
                if offsetMinutes == nil { offsetMinutes = self.numericZone(Substring(token)) }
            } else if token.allSatisfy(\.isNumber) {
                numbers.append((token, position))
            } else if month == nil, let found = self.months[String(lower.prefix(3))], lower.count >= 3,
                      lower.allSatisfy(\.isLetter) || lower.hasSuffix(".") {
                month = found
                monthPosition = position
            } else if let zone = self.zones[lower] {
                if offsetMinutes == nil { offsetMinutes = zone }
            } else if lower.hasPrefix("gmt") || lower.hasPrefix("utc"), lower.count > 3 {
                if offsetMinutes == nil { offsetMinutes = self.numericZone(Substring(lower.dropFirst(3))) }
            } else if lower.count == 1, let letter = lower.first, letter.isLetter, offsetMinutes == nil {
                offsetMinutes = 0  // military zones: RFC 5322 says treat as -0000
            }
        }
        guard let month, let time, numbers.count >= 2 else { return nil }
        // Day and year: a 4-digit number is the year; otherwise the first number is the day
        // (RFC order "day month year", asctime order "month day … year").
        var day: Int?
        var year: Int?
        let ordered = numbers.prefix(3)
        if let fourDigit = ordered.first(where: { $0.text.count >= 3 }) {
            year = Int(fourDigit.text)
            day = ordered.first(where: { $0.position != fourDigit.position }).flatMap { Int($0.text) }
        } else {
            let before = ordered.filter { $0.position < monthPosition }
            let after = ordered.filter { $0.position > monthPosition }
            if let first = before.first, let last = after.first {
                day = Int(first.text)
                year = Int(last.text)
            } else {
                day = Int(ordered[ordered.startIndex].text)
                year = Int(ordered[ordered.startIndex + 1].text)
            }
        }
        guard var year, let day else { return nil }
        if year < 50 {
            year += 2000
        } else if year < 1000 {
            year += 1900
        }
        return self.makeDate(year: year, month: month, day: day, time: time, offsetMinutes: offsetMinutes ?? 0)
    }

    static func numericZone(_ text: Substring) -> Int? {
        guard let sign = text.first, sign == "+" || sign == "-" else { return nil }
        let digits = text.dropFirst().filter(\.isNumber)
        guard digits.count == 4 || digits.count == 2, let value = Int(digits) else { return nil }
        let hours = digits.count == 4 ? value / 100 : value
        let minutes = digits.count == 4 ? value % 100 : 0
        guard hours <= 23, minutes <= 59 else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 60 + minutes)
    }

    private static func parseISO(_ value: String) -> Date? {
        let trimmed = value.trimmingWSP
        let scalars = Array(trimmed.utf8)
        guard scalars.count >= 19, scalars[4] == 0x2D, scalars[7] == 0x2D,
              scalars[10] == 0x54 || scalars[10] == 0x20, scalars[13] == 0x3A else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: scalars[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else {
            return nil
        }
        var rest = trimmed.dropFirst(19)
        if rest.first == "." { rest = rest.drop(while: { $0 == "." || $0.isNumber }) }
        let offset: Int
        if rest.isEmpty || rest == "Z" || rest == "z" {
            offset = 0
        } else if let zone = self.numericZone(Substring(rest)) {
            offset = zone
        } else {
            return nil
        }
        return self.makeDate(year: year, month: month, day: day, time: (hour, minute, second), offsetMinutes: offset)
    }

    static func makeDate(year: Int, month: Int, day: Int, time: (Int, Int, Int), offsetMinutes: Int) -> Date? {
        let (hour, minute, second) = time
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour),
              (0...59).contains(minute), (0...60).contains(second), (1000...9999).contains(year) else { return nil }
        let days = self.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Tue, 05 Mar 2024 10:00:00 +0000` (UTC, whole seconds).
    public static func format(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        var days = total / 86_400
        var secondsOfDay = total % 86_400
        if secondsOfDay < 0 {
            secondsOfDay += 86_400
            days -= 1
        }
        // civil_from_days
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let weekday = self.weekdays[((days % 7) + 7) % 7]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(two(day)) \(self.monthNames[month - 1]) \(year) "
            + "\(two(secondsOfDay / 3_600)):\(two(secondsOfDay % 3_600 / 60)):\(two(secondsOfDay % 60)) +0000"
    }
}
