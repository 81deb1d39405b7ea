import CRMSyncSupport
import Foundation

extension SandboxState {
    /// Instance id of a series occurrence: `<masterId>_<yyyyMMddTHHmmssZ>` (`_<yyyyMMdd>` all-day).
    nonisolated func googleInstanceId(_ masterId: String, _ start: Date, allDay: Bool) -> String {
        let compact = RFC3339.compact(start)
        return masterId + "_" + (allDay ? String(compact.prefix(8)) : compact)
    }

    /// Google `start`/`end`/`originalStartTime` value for an instant.
    nonisolated func googleTime(_ date: Date, timing: EventTiming) -> JSONValue {
        if timing.allDay { return ["date": .string(RFC3339.formatDate(date))] }
        return ["dateTime": .string(RFC3339.format(date, in: timing.zone)), "timeZone": .string(timing.zone.identifier)]
    }

    /// The instances of a recurring master, each with its exception override applied.
    func googleInstances(_ store: EventStore, master: [String: JSONValue], windowStart: Date?, windowEnd: Date?) -> [ItemView] {
        guard let masterId = master["id"]?.string, let timing = EventTiming.google(master),
            let rule = RecurrenceRule.google((master["recurrence"]?.array ?? []).compactMap(\.string), zone: timing.zone)
        else { return [] }
        let duration = timing.end.timeIntervalSince(timing.start)
        let horizon = windowEnd ?? self.now.addingTimeInterval(2 * 365 * 86_400)
        var views: [ItemView] = []
        for start in rule.occurrences(start: timing.start, zone: timing.zone, horizon: horizon) {
            let id = self.googleInstanceId(masterId, start, allDay: timing.allDay)
            var json = master
            json["recurrence"] = nil
            json["id"] = .string(id)
            json["recurringEventId"] = .string(masterId)
            json["originalStartTime"] = self.googleTime(start, timing: timing)
            json["start"] = self.googleTime(start, timing: timing)
            json["end"] = self.googleTime(start.addingTimeInterval(duration), timing: timing)
            if let override = store.events[id] { json = override.json }
            guard let instanceTiming = EventTiming.google(json), instanceTiming.overlaps(windowStart, windowEnd) else { continue }
            let etag = json["etag"]?.string ?? ""
            views.append(ItemView(id: id, version: etag, cancelled: json["status"]?.string == "cancelled", json: json))
        }
        return views
    }

    /// Everything a listing of one calendar shows (cancelled items flagged, not removed).
    func googleViews(_ store: EventStore, singleEvents: Bool, windowStart: Date?, windowEnd: Date?) -> [ItemView] {
        var views: [ItemView] = []
        for id in store.order {
            guard let record = store.events[id] else { continue }
            let json = record.json
            let cancelled = record.deleted || json["status"]?.string == "cancelled"
            if json["recurringEventId"] != nil && singleEvents { continue }
            if json["recurrence"] != nil && !cancelled {
                let instances = self.googleInstances(store, master: json, windowStart: windowStart, windowEnd: windowEnd)
                if singleEvents {
                    views += instances
                    continue
                }
                if instances.allSatisfy(\.cancelled) && (windowStart != nil || windowEnd != nil) { continue }
            } else if json["recurrence"] != nil && singleEvents {
                continue
            } else if let timing = EventTiming.google(json), !timing.overlaps(windowStart, windowEnd) {
                continue
            }
            views.append(ItemView(id: id, version: json["etag"]?.string ?? "", cancelled: cancelled, json: json))
        }
        return views
    }

    /// The minimal form of a cancelled item in an incremental list.
    nonisolated func googleTombstone(_ id: String, from json: [String: JSONValue]?) -> JSONValue {
        var tombstone: [String: JSONValue] = ["kind": "calendar#event", "id": .string(id), "status": "cancelled"]
        if let etag = json?["etag"] { tombstone["etag"] = etag }
        if let json, let recurring = json["recurringEventId"] {
            tombstone["recurringEventId"] = recurring
            tombstone["originalStartTime"] = json["originalStartTime"]
        }
        return .object(tombstone)
    }
}
