import CRMSyncSupport
import Foundation

extension SandboxState {
    /// Store key of a Google calendar; `primary` is the user's email.
    nonisolated func googleKey(_ email: String, _ calendarId: String) -> String {
        let id = calendarId == "primary" ? email : calendarId
        return "\(email.lowercased())|\(id.lowercased())"
    }

    /// The store of a calendar the user may use: the primary one always, others once created.
    func googleStore(_ email: String, _ calendarId: String, create: Bool = false) -> String? {
        let key = self.googleKey(email, calendarId)
        if self.googleStores[key] == nil {
            guard create || calendarId == "primary" || calendarId.lowercased() == email.lowercased() else { return nil }
            self.googleStores[key] = EventStore()
        }
        return key
    }

    /// A new Google etag: a quoted decimal number.
    func googleEtag() -> String { "\"3" + self.generator.digits(15) + "\"" }

    /// Google's timestamp form, with milliseconds.
    var googleNow: String { RFC3339.format(self.now, fractionalDigits: 3) }

    /// events.insert
    func googleInsert(_ key: String, email: String, body: [String: JSONValue]) -> Reply {
        var store = self.googleStores[key] ?? EventStore()
        let id = body["id"]?.string ?? self.generator.base32hex(26)
        let allowed = Set("abcdefghijklmnopqrstuv0123456789")
        guard (5...1024).contains(id.count), id.allSatisfy({ allowed.contains($0) }) else {
            return GoogleError.invalid("Invalid resource id value.")
        }
        guard store.events[id] == nil else {
            return GoogleError.reply(409, reason: "duplicate", message: "The requested identifier already exists.")
        }
        if let error = self.googleValidate(body) { return error }
        var json = self.googleWritable(body)
        let now = self.googleNow
        json["kind"] = "calendar#event"
        json["id"] = .string(id)
        json["etag"] = .string(self.googleEtag())
        json["status"] = json["status"] ?? "confirmed"
        json["htmlLink"] = .string("https://www.google.com/calendar/event?eid=\(id)")
        json["created"] = .string(now)
        json["updated"] = .string(now)
        json["iCalUID"] = body["iCalUID"] ?? .string("\(id)@google.com")
        json["sequence"] = json["sequence"] ?? 0
        json["creator"] = ["email": .string(email), "self": true]
        json["organizer"] = json["organizer"] ?? ["email": .string(email), "self": true]
        json["reminders"] = json["reminders"] ?? ["useDefault": true]
        json["eventType"] = json["eventType"] ?? "default"
        store.put(id, EventRecord(json: json, deleted: false))
        self.googleStores[key] = store
        self.googleChanged(key)
        return .json(200, .object(json))
    }

    /// events.get (also instances of a series)
    func googleGet(_ key: String, id: String) -> Reply {
        guard let json = self.googleCurrent(key, id: id) else { return GoogleError.notFound() }
        return .json(200, .object(json))
    }

    /// events.patch (`replace == false`) and events.update (`replace == true`)
    func googleWrite(_ key: String, id: String, body: [String: JSONValue], replace: Bool, ifMatch: String?) -> Reply {
        guard let current = self.googleCurrent(key, id: id) else { return GoogleError.notFound() }
        if self.googleStores[key]?.events[id]?.deleted == true { return GoogleError.deleted() }
        if let ifMatch, ifMatch != "*", ifMatch != current["etag"]?.string { return GoogleError.conditionNotMet() }
        let writable = self.googleWritable(body)
        var json = replace ? writable : JSONValue.merge(current, writable)
        for field in ["kind", "id", "created", "htmlLink", "iCalUID", "creator", "recurringEventId", "originalStartTime"] {
            json[field] = current[field]
        }
        if replace { json["organizer"] = json["organizer"] ?? current["organizer"] }
        if let error = self.googleValidate(json) { return error }
        let timingChanged = current["start"] != json["start"] || current["end"] != json["end"] || current["recurrence"] != json["recurrence"]
        json["sequence"] = .int((current["sequence"]?.int ?? 0) + (timingChanged ? 1 : 0))
        json["status"] = json["status"] ?? "confirmed"
        json["etag"] = .string(self.googleEtag())
        json["updated"] = .string(self.googleNow)
        self.googleStores[key, default: EventStore()].put(id, EventRecord(json: json, deleted: false))
        self.googleChanged(key)
        return .json(200, .object(json))
    }

    /// events.delete: 204, then 410 `deleted`.
    func googleDelete(_ key: String, id: String, ifMatch: String?) -> Reply {
        guard var current = self.googleCurrent(key, id: id) else { return GoogleError.notFound() }
        let record = self.googleStores[key]?.events[id]
        if record?.deleted == true || (current["status"]?.string == "cancelled" && current["recurringEventId"] != nil) {
            return GoogleError.deleted()
        }
        if let ifMatch, ifMatch != "*", ifMatch != current["etag"]?.string { return GoogleError.conditionNotMet() }
        current["status"] = "cancelled"
        current["etag"] = .string(self.googleEtag())
        current["updated"] = .string(self.googleNow)
        self.googleStores[key, default: EventStore()].put(id, EventRecord(json: current, deleted: true))
        self.googleChanged(key)
        return .noContent
    }

    /// The event's current JSON: stored, or computed for an untouched series instance.
    func googleCurrent(_ key: String, id: String) -> [String: JSONValue]? {
        guard let store = self.googleStores[key] else { return nil }
        if let record = store.events[id] { return record.json }
        guard let split = id.lastIndex(of: "_") else { return nil }
        let masterId = String(id[..<split])
        guard let master = store.events[masterId], !master.deleted else { return nil }
        return self.googleInstances(store, master: master.json, windowStart: nil, windowEnd: nil).first { $0.id == id }?.json
    }

    private func googleWritable(_ body: [String: JSONValue]) -> [String: JSONValue] {
        var json = body
        for field in ["etag", "updated", "kind", "htmlLink", "created"] { json[field] = nil }
        return json
    }

    private func googleValidate(_ json: [String: JSONValue]) -> Reply? {
        if json["start"] == nil { return GoogleError.required("Missing start time.") }
        if json["end"] == nil { return GoogleError.required("Missing end time.") }
        guard let timing = EventTiming.google(json) else { return GoogleError.invalid("Invalid start or end time.") }
        if timing.end < timing.start { return GoogleError.invalid("The specified time range is empty.") }
        return nil
    }
}
