import Foundation

/// A date and a time of day with no zone attached, like Graph's `dateTime` values.
struct WallTime: Sendable, Hashable {
    var date: LocalDate
    var hour: Int
    var minute: Int
    var second: Int
    var nanosecond: Int = 0

    var isMidnight: Bool { self.hour == 0 && self.minute == 0 && self.second == 0 && self.nanosecond == 0 }

    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fraction]]` (fraction of any length, as Graph's seven digits).
    init?(parsing string: some StringProtocol) {
        let text = Substring(string)
        guard let tIndex = text.firstIndex(where: { $0 == "T" || $0 == "t" }),
              let date = LocalDate(iso: text[text.startIndex..<tIndex])
        else { return nil }
        var time = text[text.index(after: tIndex)...]
        var nanos = 0
        if let dot = time.firstIndex(of: ".") {
            let digits = time[time.index(after: dot)...]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            let padded = String(digits.prefix(9)).padding(toLength: 9, withPad: "0", startingAt: 0)
            nanos = Int(padded) ?? 0
            time = time[time.startIndex..<dot]
        }
        let fields = time.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 2 || fields.count == 3,
              fields.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hour = Int(fields[0]), let minute = Int(fields[1]),
              hour < 24, minute < 60
        else { return nil }
        let second = fields.count == 3 ? Int(fields[2]) ?? 99 : 0
        guard second <= 60 else { return nil }
        self.init(date: date, hour: hour, minute: minute, second: min(second, 59), nanosecond: nanos)
    }

    init(date: LocalDate, hour: Int, minute: Int, second: Int, nanosecond: Int = 0) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
    }

    /// The wall time `date` shows at UTC offset `offsetSeconds`.
    init(_ date: Date, offsetSeconds: Int) {
        let total = date.timeIntervalSince1970 + Double(offsetSeconds)
        let whole = Int(total.rounded(.down))
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondsOfDay = whole - days * 86_400
        self.init(
            date: LocalDate(daysSinceEpoch: days),
            hour: secondsOfDay / 3600,
            minute: secondsOfDay % 3600 / 60,
            second: secondsOfDay % 60,
            nanosecond: min(999_999_999, Int(((total - Double(whole)) * 1_000_000_000).rounded()))
        )
    }

    /// The wall time `date` shows in `zone`.
    init(_ date: Date, in zone: TimeZone) {
        self.init(date, offsetSeconds: zone.secondsFromGMT(for: date))
    }

    /// The instant this wall time denotes at a fixed UTC offset.
    func instant(offsetSeconds: Int) -> Date {
        let seconds = self.date.daysSinceEpoch * 86_400 + self.hour * 3600 + self.minute * 60 + self.second
        return Date(timeIntervalSince1970: Double(seconds - offsetSeconds) + Double(self.nanosecond) / 1e9)
    }

    /// The instant this wall time denotes in `zone`; in a DST gap the later offset applies,
    /// in an overlap the earlier instant.
    func instant(in zone: TimeZone) -> Date {
        let guess = self.instant(offsetSeconds: 0)
        let first = self.instant(offsetSeconds: zone.secondsFromGMT(for: guess))
        let second = self.instant(offsetSeconds: zone.secondsFromGMT(for: first))
        if WallTime(second, in: zone) == self { return min(first, second) }
        if WallTime(first, in: zone) == self { return first }
        return max(first, second)
    }

    /// `YYYY-MM-DDTHH:MM:SS` followed by `fractionDigits` digits of fraction when nonzero.
    func formatted(fractionDigits: Int = 0) -> String {
        let time = [self.hour, self.minute, self.second].map { String($0).leftPadded(to: 2) }.joined(separator: ":")
        var text = "\(self.date.iso)T\(time)"
        if fractionDigits > 0 {
            let nanos = String(self.nanosecond).leftPadded(to: 9)
            text += "." + String(nanos.prefix(fractionDigits)).padding(toLength: fractionDigits, withPad: "0", startingAt: 0)
        }
        return text
    }
}
