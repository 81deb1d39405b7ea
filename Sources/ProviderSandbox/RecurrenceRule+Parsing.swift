import CRMSyncSupport
import Foundation

extension RecurrenceRule {
    /// From Google's `recurrence[]` lines (`RRULE:…`, `EXDATE[;TZID=…|;VALUE=DATE]:…`).
    static func google(_ lines: [String], zone: TimeZone) -> RecurrenceRule? {
        guard let rruleLine = lines.first(where: { $0.uppercased().hasPrefix("RRULE:") }) else { return nil }
        var parts: [String: String] = [:]
        for part in rruleLine.dropFirst(6).split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { parts[pair[0].uppercased()] = String(pair[1]) }
        }
        let frequencies: [String: Frequency] = ["DAILY": .daily, "WEEKLY": .weekly, "MONTHLY": .monthly, "YEARLY": .yearly]
        guard let frequency = parts["FREQ"].flatMap({ frequencies[$0.uppercased()] }) else { return nil }
        var rule = RecurrenceRule(frequency: frequency)
        rule.interval = max(1, parts["INTERVAL"].flatMap(Int.init) ?? 1)
        rule.count = parts["COUNT"].flatMap(Int.init)
        rule.until = parts["UNTIL"].flatMap { RFC3339.parseCompact($0, in: zone) }
        if let until = parts["UNTIL"], until.count == 8, let day = rule.until {
            rule.until = RFC3339.calendar(zone).date(byAdding: .second, value: 86_399, to: day)
        }
        rule.byDay = Set((parts["BYDAY"] ?? "").split(separator: ",").compactMap { Self.weekdayCodes[String($0.suffix(2)).uppercased()] })
        for line in lines where line.uppercased().hasPrefix("EXDATE") {
            let pieces = line.split(separator: ":", maxSplits: 1)
            guard pieces.count == 2 else { continue }
            let params = pieces[0].uppercased()
            let exZone = params.components(separatedBy: "TZID=").dropFirst().first.flatMap { TimeZone(identifier: String($0.split(separator: ";")[0])) }
            for value in pieces[1].split(separator: ",") {
                if params.contains("VALUE=DATE") && !params.contains("DATE-TIME") || value.count == 8 {
                    rule.exdateDays.insert(String(value.prefix(8)))
                } else if let date = RFC3339.parseCompact(String(value), in: exZone ?? zone) {
                    rule.exdates.insert(date)
                }
            }
        }
        return rule
    }

    /// From Graph's `recurrence {pattern, range}`.
    static func graph(_ recurrence: JSONValue?, zone: TimeZone) -> RecurrenceRule? {
        guard let pattern = recurrence?["pattern"], let type = pattern["type"]?.string else { return nil }
        let frequency: Frequency
        switch type {
        case "daily": frequency = .daily
        case "weekly": frequency = .weekly
        case "absoluteMonthly", "relativeMonthly": frequency = .monthly
        default: frequency = .yearly
        }
        var rule = RecurrenceRule(frequency: frequency)
        rule.interval = max(1, pattern["interval"]?.int ?? 1)
        let names = ["sunday": 1, "monday": 2, "tuesday": 3, "wednesday": 4, "thursday": 5, "friday": 6, "saturday": 7]
        rule.byDay = Set((pattern["daysOfWeek"]?.array ?? []).compactMap { $0.string.flatMap { names[$0.lowercased()] } })
        let range = recurrence?["range"]
        switch range?["type"]?.string {
        case "numbered": rule.count = range?["numberOfOccurrences"]?.int
        case "endDate":
            if let end = range?["endDate"]?.string, let day = RFC3339.parseDate(end, in: zone) {
                rule.until = RFC3339.calendar(zone).date(byAdding: .second, value: 86_399, to: day)
            }
        default: break
        }
        return rule
    }
}
