import Foundation

/// Text form of `timestamptz` values.
///
/// Connections set `DateStyle = ISO` and `TimeZone = UTC`, so the server prints
/// `2026-03-08 09:30:00.123456+00`; we parse that (and any offset) by hand because
/// `ISO8601DateFormatter` neither accepts the space nor keeps microseconds.
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        var seconds = date.timeIntervalSince1970.rounded(.down)
        var micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded())
        if micros == 1_000_000 {
            seconds += 1
            micros = 0
        }
        let c = Calendar.utc.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        func two(_ v: Int?) -> String { String(v ?? 0).leftPadded(to: 2) }
        return "\(String(c.year ?? 0).leftPadded(to: 4))-\(two(c.month))-\(two(c.day)) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)).\(String(micros).leftPadded(to: 6))+00"
    }

    static func parse(_ text: String) -> Date? {
        if text == "infinity" { return .distantFuture }
        if text == "-infinity" { return .distantPast }
        let chars = Array(text.utf8)
        var index = 0
        func number(_ count: Int) -> Int? {
            guard index + count <= chars.count else { return nil }
            var value = 0
            for c in chars[index..<index + count] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            index += count
            return value
        }
        func expect(_ set: [UInt8]) -> Bool {
            guard index < chars.count, set.contains(chars[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect([45]), let month = number(2), expect([45]),
            let day = number(2), expect([32, 84]), let hour = number(2), expect([58]),
            let minute = number(2), expect([58]), let second = number(2)
        else { return nil }
        var fraction = 0.0
        if index < chars.count, chars[index] == 46 {
            index += 1
            var scale = 0.1
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < chars.count {
            if chars[index] == 90 {  // Z
                index += 1
            } else {
                let sign = chars[index] == 45 ? -1 : 1
                guard expect([43, 45]), let oh = number(2) else { return nil }
                var om = 0
                var os = 0
                if expect([58]) { om = number(2) ?? 0 }
                if expect([58]) { os = number(2) ?? 0 }
                offset = sign * (oh * 3600 + om * 60 + os)
            }
        }
        guard index == chars.count else { return nil }
        let components = DateComponents(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let base = Calendar.utc.date(from: components) else { return nil }
        return base.addingTimeInterval(fraction - Double(offset))
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
