import CRMSyncSupport
import Foundation

extension SandboxState {
    /// A Graph error with a generated request id.
    func graphError(_ status: Int, _ code: String, _ message: String) -> Reply {
        GraphError.reply(status, code: code, message: message, now: self.now, requestId: self.guid())
    }

    func graphNotFound() -> Reply {
        self.graphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    }

    /// `POST /me/events`: 201, or the existing event for a repeated `transactionId`.
    func graphCreate(_ email: String, body: [String: JSONValue], zoneName: String, bodyType: String? = nil) -> Reply {
        let key = email.lowercased()
        var store = self.graphStores[key] ?? EventStore()
        if let transaction = body["transactionId"]?.string, let existing = store.transactions[transaction],
            let record = store.events[existing], !record.deleted
        {
            return .json(201, .object(self.graphRender(record.json, zoneName: zoneName, bodyType: bodyType)))
        }
        if let error = self.graphValidate(body) { return error }
        let id = "AAMkAGI2" + self.generator.alphanumeric(64) + "AAA="
        let changeKey = self.generator.alphanumeric(28)
        var json = body
        let now = self.graphNow
        json["@odata.context"] = nil
        json["id"] = .string(id)
        json["changeKey"] = .string(changeKey)
        json["@odata.etag"] = .string("W/\"\(changeKey)\"")
        json["createdDateTime"] = .string(now)
        json["lastModifiedDateTime"] = .string(now)
        json["iCalUId"] = .string("040000008200E00074C5B7101A82E00800000000" + self.generator.string(32, alphabet: "0123456789ABCDEF"))
        json["subject"] = json["subject"] ?? ""
        json["body"] = json["body"] ?? ["contentType": "text", "content": ""]
        json["bodyPreview"] = .string(Self.preview(json["body"]?["content"]?.string ?? ""))
        json["isAllDay"] = json["isAllDay"] ?? false
        json["isCancelled"] = json["isCancelled"] ?? false
        json["isOrganizer"] = true
        json["type"] = json["recurrence"].map { $0 == .null ? "singleInstance" : "seriesMaster" } ?? "singleInstance"
        json["seriesMasterId"] = .null
        json["recurrence"] = json["recurrence"] ?? .null
        json["location"] = json["location"] ?? ["displayName": ""]
        json["attendees"] = json["attendees"] ?? []
        json["showAs"] = json["showAs"] ?? "busy"
        json["organizer"] = ["emailAddress": ["name": .string(Self.displayName(email)), "address": .string(email)]]
        json["originalStartTimeZone"] = json["start"]?["timeZone"] ?? "UTC"
        json["originalEndTimeZone"] = json["end"]?["timeZone"] ?? "UTC"
        json["webLink"] = .string("https://outlook.office365.com/owa/?itemid=\(id)&exvsurl=1&path=/calendar/item")
        store.put(id, EventRecord(json: json, deleted: false))
        if let transaction = body["transactionId"]?.string { store.transactions[transaction] = id }
        self.graphStores[key] = store
        self.graphChanged(email, id: id, changeType: "created", etag: changeKey)
        return .json(201, .object(self.graphRender(json, zoneName: zoneName, bodyType: bodyType)))
    }

    /// `GET /me/events/{id}`
    func graphGet(_ email: String, id: String, zoneName: String, bodyType: String? = nil) -> Reply {
        guard let json = self.graphCurrent(email, id: id) else { return self.graphNotFound() }
        return .json(200, .object(self.graphRender(json, zoneName: zoneName, bodyType: bodyType)))
    }

    /// `PATCH /me/events/{id}` (200) with `If-Match`.
    func graphUpdate(_ email: String, id: String, body: [String: JSONValue], ifMatch: String?, zoneName: String, bodyType: String? = nil) -> Reply {
        guard let current = self.graphCurrent(email, id: id) else { return self.graphNotFound() }
        if let error = self.graphPrecondition(current, ifMatch) { return error }
        var json = JSONValue.merge(current, body)
        for field in ["id", "createdDateTime", "iCalUId", "organizer", "seriesMasterId", "webLink", "@odata.context"] { json[field] = current[field] }
        if let error = self.graphValidate(json) { return error }
        if json["type"]?.string == "occurrence" { json["type"] = "exception" }
        if body["start"] != nil { json["originalStartTimeZone"] = json["start"]?["timeZone"] ?? "UTC" }
        if body["end"] != nil { json["originalEndTimeZone"] = json["end"]?["timeZone"] ?? "UTC" }
        let changeKey = self.generator.alphanumeric(28)
        json["changeKey"] = .string(changeKey)
        json["@odata.etag"] = .string("W/\"\(changeKey)\"")
        json["lastModifiedDateTime"] = .string(self.graphNow)
        json["bodyPreview"] = .string(Self.preview(json["body"]?["content"]?.string ?? ""))
        self.graphStores[email.lowercased(), default: EventStore()].put(id, EventRecord(json: json, deleted: false))
        self.graphChanged(email, id: id, changeType: "updated", etag: changeKey)
        return .json(200, .object(self.graphRender(json, zoneName: zoneName, bodyType: bodyType)))
    }

    /// `DELETE /me/events/{id}` (204) with `If-Match`.
    func graphDelete(_ email: String, id: String, ifMatch: String?) -> Reply {
        guard let current = self.graphCurrent(email, id: id) else { return self.graphNotFound() }
        if let error = self.graphPrecondition(current, ifMatch) { return error }
        self.graphStores[email.lowercased(), default: EventStore()].put(id, EventRecord(json: current, deleted: true))
        self.graphChanged(email, id: id, changeType: "deleted", etag: current["changeKey"]?.string ?? "")
        return .noContent
    }

    /// Stored JSON, or the computed JSON of an occurrence; nil when unknown or deleted.
    func graphCurrent(_ email: String, id: String) -> [String: JSONValue]? {
        guard let store = self.graphStores[email.lowercased()] else { return nil }
        if let record = store.events[id] { return record.deleted ? nil : record.json }
        guard let split = id.lastIndex(of: "_"), let master = store.events[String(id[..<split])], !master.deleted else { return nil }
        return self.graphOccurrences(store, master: master.json, windowStart: nil, windowEnd: nil).first { $0.id == id }?.json
    }

    private func graphPrecondition(_ current: [String: JSONValue], _ ifMatch: String?) -> Reply? {
        guard let ifMatch, ifMatch != "*" else { return nil }
        let bare = ifMatch.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard bare != current["changeKey"]?.string else { return nil }
        return self.graphError(412, "ErrorIrresolvableConflict", "The change key passed in the request does not match the current change key for the item.")
    }

    private func graphValidate(_ json: [String: JSONValue]) -> Reply? {
        guard json["start"] != nil, json["end"] != nil else {
            return self.graphError(400, "ErrorInvalidRequest", "Your request can't be completed. Start and End must be specified.")
        }
        for field in ["start", "end"] {
            if let name = json[field]?["timeZone"]?.string, WindowsTimeZones.zone(named: name) == nil {
                return self.graphError(400, "TimeZoneNotSupportedException", "A valid TimeZone value must be specified. The following TimeZone value is not supported: '\(name)'.")
            }
        }
        guard let timing = EventTiming.graph(json) else { return self.graphError(400, "ErrorInvalidRequest", "Invalid start or end dateTime.") }
        if timing.end < timing.start { return self.graphError(400, "ErrorInvalidRequest", "The end time must be after the start time.") }
        return nil
    }

    nonisolated static func preview(_ content: String) -> String {
        let text = content.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression).trimmingCharacters(in: .whitespaces)
        return String(text.prefix(255))
    }

    nonisolated static func displayName(_ email: String) -> String {
        email.split(separator: "@").first.map(String.init) ?? email
    }
}
