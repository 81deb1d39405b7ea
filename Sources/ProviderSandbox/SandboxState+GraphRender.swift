import CRMSyncSupport
import Foundation

extension SandboxState {
    /// Graph's timestamp form: UTC with seven fractional digits and `Z`.
    var graphNow: String { RFC3339.formatLocal(self.now, in: RFC3339.utc, fractionalDigits: 7) + "Z" }

    /// `{dateTime, timeZone}` of an instant in the named zone (all-day: midnight of its date).
    nonisolated func graphTime(_ date: Date, allDay: Bool, zoneName: String) -> JSONValue {
        let zone = WindowsTimeZones.zone(named: zoneName) ?? RFC3339.utc
        let text = allDay
            ? RFC3339.formatDate(date) + "T00:00:00.0000000"
            : RFC3339.formatLocal(date, in: zone, fractionalDigits: 7)
        return ["dateTime": .string(text), "timeZone": .string(zoneName)]
    }

    /// The event as Graph returns it, `start`/`end` in `zoneName` (`Prefer: outlook.timezone`),
    /// the body as `bodyType` (`Prefer: outlook.body-content-type`, HTML by default in the
    /// API; nil: as stored, for the control API).
    nonisolated func graphRender(_ json: [String: JSONValue], zoneName: String, bodyType: String? = nil) -> [String: JSONValue] {
        var rendered = json
        if let bodyType, let body = GraphBody.render(json["body"], as: bodyType) { rendered["body"] = body }
        if let timing = EventTiming.graph(json) {
            rendered["start"] = self.graphTime(timing.start, allDay: timing.allDay, zoneName: zoneName)
            rendered["end"] = self.graphTime(timing.end, allDay: timing.allDay, zoneName: zoneName)
        }
        return rendered
    }

    /// Occurrences of a series master with exceptions applied; deleted occurrences left out.
    func graphOccurrences(_ store: EventStore, master: [String: JSONValue], windowStart: Date?, windowEnd: Date?) -> [ItemView] {
        guard let masterId = master["id"]?.string, let timing = EventTiming.graph(master),
            let rule = RecurrenceRule.graph(master["recurrence"], zone: timing.zone)
        else { return [] }
        let duration = timing.end.timeIntervalSince(timing.start)
        let horizon = windowEnd ?? self.now.addingTimeInterval(2 * 365 * 86_400)
        var views: [ItemView] = []
        for start in rule.occurrences(start: timing.start, zone: timing.zone, horizon: horizon) {
            let id = masterId + "_" + RFC3339.compact(start)
            var json = master
            if let override = store.events[id] {
                if override.deleted { continue }
                json = override.json
            } else {
                json["id"] = .string(id)
                json["type"] = "occurrence"
                json["seriesMasterId"] = .string(masterId)
                json["recurrence"] = .null
                json["originalStart"] = .string(RFC3339.format(start))
                json["start"] = self.graphTime(start, allDay: timing.allDay, zoneName: "UTC")
                json["end"] = self.graphTime(start.addingTimeInterval(duration), allDay: timing.allDay, zoneName: "UTC")
            }
            guard let occurrence = EventTiming.graph(json), occurrence.overlaps(windowStart, windowEnd) else { continue }
            views.append(ItemView(id: id, version: json["changeKey"]?.string ?? "", cancelled: false, json: json, record: masterId))
        }
        return views
    }

    /// What calendarView shows in a window: single events and occurrences, no masters; of the
    /// records `ids` only (default: all, in order).
    func graphViews(_ store: EventStore, ids: [String]? = nil, windowStart: Date?, windowEnd: Date?) -> [ItemView] {
        var views: [ItemView] = []
        for id in ids ?? store.order {
            guard let record = store.events[id], !record.deleted, record.json["seriesMasterId"]?.string == nil else { continue }
            if record.json["type"]?.string == "seriesMaster" {
                views += self.graphOccurrences(store, master: record.json, windowStart: windowStart, windowEnd: windowEnd)
            } else if let timing = EventTiming.graph(record.json), timing.overlaps(windowStart, windowEnd) {
                views.append(ItemView(id: id, version: record.json["changeKey"]?.string ?? "", cancelled: false, json: record.json))
            }
        }
        return views
    }
}
