import Foundation

/// The part of RFC 5545 recurrence the sandbox expands: FREQ DAILY, WEEKLY (with BYDAY),
/// MONTHLY and YEARLY, with INTERVAL, COUNT, UNTIL and EXDATE. Google's `recurrence[]` lines
/// and Graph's `patternedRecurrence` both become one of these.
struct RecurrenceRule: Sendable, Equatable {
    enum Frequency: Sendable { case daily, weekly, monthly, yearly }

    var frequency: Frequency
    var interval: Int = 1
    var count: Int?
    var until: Date?
    /// Calendar weekdays (1 = Sunday … 7 = Saturday); empty means the start's weekday.
    var byDay: Set<Int> = []
    var exdates: Set<Date> = []
    /// `yyyyMMdd` days excluded by `EXDATE;VALUE=DATE`.
    var exdateDays: Set<String> = []

    static let weekdayCodes = ["SU": 1, "MO": 2, "TU": 3, "WE": 4, "TH": 5, "FR": 6, "SA": 7]

    /// Occurrence starts from `start` (inclusive) up to `horizon` (exclusive), at most `limit`.
    func occurrences(start: Date, zone: TimeZone, horizon: Date, limit: Int = 1000) -> [Date] {
        let calendar = RFC3339.calendar(zone)
        let time = calendar.dateComponents([.hour, .minute, .second], from: start)
        let firstDay = calendar.startOfDay(for: start)
        let weekdays = self.byDay.isEmpty ? [calendar.component(.weekday, from: start)] : self.byDay
        var results: [Date] = []
        var produced = 0
        var step = 0
        while step < 20_000 && results.count < limit {
            defer { step += 1 }
            guard let candidate = self.candidate(step, start: start, firstDay: firstDay, time: time, weekdays: weekdays, calendar: calendar)
            else { continue }
            if candidate < start { continue }
            if let until = self.until, candidate > until { break }
            if candidate >= horizon { break }
            produced += 1
            if let count = self.count, produced > count { break }
            let day = String(RFC3339.compact(candidate).prefix(8))
            let localDay = RFC3339.formatDate(candidate, in: zone).replacingOccurrences(of: "-", with: "")
            if self.exdates.contains(candidate) || self.exdateDays.contains(localDay) || self.exdateDays.contains(day) { continue }
            results.append(candidate)
        }
        return results
    }

    /// The `step`-th candidate, or nil when that step yields none (weekly days not in BYDAY).
    private func candidate(
        _ step: Int, start: Date, firstDay: Date, time: DateComponents, weekdays: Set<Int>, calendar: Calendar
    ) -> Date? {
        switch self.frequency {
        case .daily:
            return self.at(calendar.date(byAdding: .day, value: step * self.interval, to: firstDay), time, calendar)
        case .weekly:
            guard let day = calendar.date(byAdding: .day, value: step, to: firstDay) else { return nil }
            let startWeekday = (calendar.component(.weekday, from: firstDay) + 5) % 7  // Monday = 0
            let week = (step + startWeekday) / 7
            guard week % self.interval == 0, weekdays.contains(calendar.component(.weekday, from: day)) else { return nil }
            return self.at(day, time, calendar)
        case .monthly:
            return calendar.date(byAdding: .month, value: step * self.interval, to: start)
        case .yearly:
            return calendar.date(byAdding: .year, value: step * self.interval, to: start)
        }
    }

    private func at(_ day: Date?, _ time: DateComponents, _ calendar: Calendar) -> Date? {
        guard let day else { return nil }
        return calendar.date(bySettingHour: time.hour ?? 0, minute: time.minute ?? 0, second: time.second ?? 0, of: day)
    }
}
