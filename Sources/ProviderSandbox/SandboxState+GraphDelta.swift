import CRMSyncSupport
import Foundation

extension SandboxState {
    /// `GET /me/calendarView/delta`: first round from `startDateTime`/`endDateTime`, then
    /// `$skiptoken` pages and `$deltatoken` rounds; the window rides inside the tokens.
    func graphDelta(_ email: String, _ request: SandboxRequest, pageSize: Int?, zoneName: String?, bodyType: String = "html") -> Reply {
        let query = request.query
        let size = max(1, min(pageSize ?? 10, 1000))
        var applied = ["odata.maxpagesize=\(size)"]
        if let zoneName { applied.append("outlook.timezone=\"\(zoneName)\"") }
        let headers = [("Preference-Applied", applied.joined(separator: ", "))]
        let key = email.lowercased()
        if let skip = query["$skiptoken"] {
            guard let page = self.pageCursors[skip], page.storeKey == key else { return self.syncStateNotFound() }
            self.pageCursors[skip] = nil
            return self.graphPage(page, size: size, baseURL: request.baseURL, headers: headers)
        }
        let store = self.graphStores[key] ?? EventStore()
        if let delta = query["$deltatoken"] {
            guard let cursor = self.syncCursors[delta], cursor.storeKey == key else { return self.syncStateNotFound() }
            // Proportional to the changes since the token (the records written since, and the
            // series masters), not to the calendar.
            let diff = cursor.diff(
                store, views: { self.graphViews(store, ids: [$0], windowStart: cursor.windowStart, windowEnd: cursor.windowEnd) },
                entry: Self.graphEntry)
            var items = diff.changed.map { self.graphDeltaItem($0.json, cursor.timeZone, bodyType: bodyType) }
            // Graph filters delta by the window after the fact: a live event written since the
            // token that lies outside the window (created there, or moved there unseen) comes
            // as `@removed` too, although it exists (documented; the client must check).
            let outside = self.graphOutsideWindow(store, since: cursor, excluding: Set(diff.vanished))
            for id in (diff.vanished + outside).sorted() {
                items.append(["@odata.type": "#microsoft.graph.event", "id": .string(id), "@removed": ["reason": "deleted"]])
            }
            let page = PageCursor(email: key, storeKey: key, items: items, offset: 0, emptyNext: self.quirks.emptyPages, final: diff.next)
            return self.graphPage(page, size: size, baseURL: request.baseURL, headers: headers)
        }
        guard let startText = query["startDateTime"], let endText = query["endDateTime"] else {
            return self.graphError(400, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.")
        }
        guard let start = RFC3339.parse(startText) ?? RFC3339.parseLocal(startText, in: RFC3339.utc),
            let end = RFC3339.parse(endText) ?? RFC3339.parseLocal(endText, in: RFC3339.utc)
        else { return self.graphError(400, "ErrorInvalidParameter", "The value of StartDateTime or EndDateTime is not a valid date.") }
        let views = self.graphViews(store, windowStart: start, windowEnd: end)
        let final = SyncCursor(email: key, storeKey: key, snapshot: [:], singleEvents: true, showDeleted: false,
                               windowStart: start, windowEnd: end, timeZone: zoneName)
            .taking(views, sequence: store.changes.count, entry: Self.graphEntry)
        let items = views.map { self.graphDeltaItem($0.json, zoneName, bodyType: bodyType) }
        let page = PageCursor(email: key, storeKey: key, items: items, offset: 0, emptyNext: self.quirks.emptyPages, final: final)
        return self.graphPage(page, size: size, baseURL: request.baseURL, headers: headers)
    }

    /// A delta snapshot remembers live items only.
    static func graphEntry(_ view: ItemView) -> String? { view.cancelled ? nil : view.version }

    /// 410 `syncStateNotFound` for an unknown or expired token.
    func syncStateNotFound() -> Reply {
        self.graphError(410, "syncStateNotFound", "The sync state generation is not found. Please restart the sync with an initial delta request.")
    }

    /// Single events written since `cursor` that exist but lie outside its window (and were not
    /// listed before: those are in `excluding`, reported as vanished).
    private func graphOutsideWindow(_ store: EventStore, since cursor: SyncCursor, excluding: Set<String>) -> [String] {
        store.touched(since: cursor.sequence).filter { id in
            guard !excluding.contains(id), cursor.snapshot[id] == nil, let record = store.events[id], !record.deleted,
                record.json["type"]?.string != "seriesMaster", record.json["seriesMasterId"]?.string == nil,
                let timing = EventTiming.graph(record.json)
            else { return false }
            return !timing.overlaps(cursor.windowStart, cursor.windowEnd)
        }
    }

    private func graphDeltaItem(_ json: [String: JSONValue], _ zoneName: String?, bodyType: String) -> JSONValue {
        var item = self.graphRender(json, zoneName: zoneName ?? "UTC", bodyType: bodyType)
        item["@odata.type"] = "#microsoft.graph.event"
        return .object(item)
    }

    private func graphPage(_ page: PageCursor, size: Int, baseURL: String, headers: [(String, String)]) -> Reply {
        var page = page
        let slice: ArraySlice<JSONValue>
        if page.emptyNext {
            slice = []
            page.emptyNext = false
        } else {
            slice = page.items[page.offset..<min(page.items.count, page.offset + size)]
            page.offset += slice.count
            page.emptyNext = self.quirks.emptyPages
        }
        var body: [String: JSONValue] = [
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(event)", "value": .array(Array(slice)),
        ]
        let link = self.publicBase(baseURL) + "/v1.0/me/calendarView/delta?"
        if page.offset < page.items.count || page.emptyNext && !slice.isEmpty {
            let token = self.token("", 48)
            self.pageCursors[token] = page
            body["@odata.nextLink"] = .string(link + "$skiptoken=" + token)
        } else {
            let token = self.token("", 48)
            self.syncCursors[token] = page.final
            body["@odata.deltaLink"] = .string(link + "$deltatoken=" + token)
        }
        return .json(200, .object(body), headers: headers)
    }

    /// The base URL for links: configured, or as the caller reached us.
    func publicBase(_ requestBase: String) -> String {
        self.configuration.publicBaseURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? requestBase
    }

    /// Control API: forget every sync token, page token and delta link (mail ones too) of a user.
    func expireCursors(email: String) -> Int {
        let email = email.lowercased()
        let before = self.syncCursors.count + self.pageCursors.count
        self.syncCursors = self.syncCursors.filter { $0.value.email.lowercased() != email }
        self.pageCursors = self.pageCursors.filter { $0.value.email.lowercased() != email }
        return before - self.syncCursors.count - self.pageCursors.count + self.graphMailExpire(email: email)
    }
}
