import CRMSyncSupport
import Foundation

extension SandboxState {
    static let googleForbiddenWithSyncToken = [
        "timeMin", "timeMax", "updatedMin", "orderBy", "q", "iCalUID", "privateExtendedProperty", "sharedExtendedProperty",
    ]

    /// events.list: full or incremental (`syncToken`), paged (`pageToken`, `maxResults`).
    func googleList(_ key: String, email: String, calendarId: String, query: [String: String]) -> Reply {
        let maxResults = query["maxResults"].map { Int($0) ?? -1 } ?? 250
        guard (1...2500).contains(maxResults) else {
            return GoogleError.invalid("Invalid value '\(query["maxResults"] ?? "")'. Values must be within the range: [1, 2500]", parameter: "maxResults")
        }
        if let syncToken = query["syncToken"] {
            if let forbidden = Self.googleForbiddenWithSyncToken.first(where: { query[$0] != nil }) {
                return GoogleError.invalid("The '\(forbidden)' parameter cannot be used together with a sync token.", parameter: forbidden)
            }
            if query["showDeleted"] == "false" {
                return GoogleError.invalid("The 'showDeleted' parameter cannot be false when a sync token is used.", parameter: "showDeleted")
            }
            guard let cursor = self.syncCursors[syncToken], cursor.storeKey == key else { return GoogleError.fullSyncRequired() }
            if query["pageToken"] == nil { return self.googleStartIncremental(cursor, maxResults: maxResults) }
        }
        if let pageToken = query["pageToken"] {
            guard let page = self.pageCursors[pageToken], page.storeKey == key else {
                return GoogleError.invalid("Invalid page token value.", parameter: "pageToken")
            }
            self.pageCursors[pageToken] = nil
            return self.googlePage(page, maxResults: maxResults)
        }
        let singleEvents = query["singleEvents"] == "true"
        if query["orderBy"] == "startTime" && !singleEvents {
            return GoogleError.invalid("The requested ordering is not available for the particular query.", parameter: "orderBy")
        }
        var timeMin: Date?
        var timeMax: Date?
        for (name, slot) in [("timeMin", 0), ("timeMax", 1)] {
            guard let text = query[name] else { continue }
            guard let date = RFC3339.parse(text) else { return GoogleError.badRequest("Bad Request") }
            if slot == 0 { timeMin = date } else { timeMax = date }
        }
        let showDeleted = query["showDeleted"] == "true"
        let final = SyncCursor(email: email, storeKey: key, snapshot: [:], singleEvents: singleEvents, showDeleted: showDeleted,
                               windowStart: timeMin, windowEnd: timeMax, timeZone: nil)
        let store = self.googleStores[key] ?? EventStore()
        let views = self.googleViews(store, singleEvents: singleEvents, windowStart: timeMin, windowEnd: timeMax)
        var ordered = views
        if query["orderBy"] == "startTime" {
            ordered.sort { (EventTiming.google($0.json)?.start ?? .distantPast) < (EventTiming.google($1.json)?.start ?? .distantPast) }
        }
        let items = ordered.filter { showDeleted || !$0.cancelled }.map { JSONValue.object($0.json) }
        let snapshotCursor = final.taking(views, sequence: store.changes.count, entry: Self.googleEntry)
        let page = PageCursor(email: email, storeKey: key, items: items, offset: 0, emptyNext: self.quirks.emptyPages, final: snapshotCursor)
        return self.googlePage(page, maxResults: maxResults)
    }

    /// Google's snapshot also remembers cancelled items (their version marked), so that a
    /// deletion is reported once whenever it happened after the token, even for an event
    /// the token never saw live ("with syncToken, deleted events are always returned").
    static func googleEntry(_ view: ItemView) -> String? {
        view.cancelled ? Self.cancelledMark + view.version : view.version
    }

    static let cancelledMark = "cancelled:"

    /// The changes since a sync token: the records written since it and the recurring
    /// masters (proportional to the changes, like Google's), in listing order, then the
    /// items that vanished as tombstones.
    private func googleStartIncremental(_ cursor: SyncCursor, maxResults: Int) -> Reply {
        let store = self.googleStores[cursor.storeKey] ?? EventStore()
        let diff = cursor.diff(
            store,
            views: { self.googleViews(store, ids: [$0], singleEvents: cursor.singleEvents, windowStart: cursor.windowStart, windowEnd: cursor.windowEnd) },
            entry: Self.googleEntry)
        var items: [JSONValue] = diff.changed.map { $0.cancelled ? self.googleTombstone($0.id, from: $0.json) : .object($0.json) }
        for id in diff.vanished {
            items.append(self.googleTombstone(id, from: store.events[id]?.json ?? self.googleInstanceStub(id)))
        }
        let page = PageCursor(email: cursor.email, storeKey: cursor.storeKey, items: items, offset: 0, emptyNext: self.quirks.emptyPages, final: diff.next)
        return self.googlePage(page, maxResults: maxResults)
    }

    /// `recurringEventId`/`originalStartTime` reconstructed from an instance id.
    nonisolated func googleInstanceStub(_ id: String) -> [String: JSONValue]? {
        guard let split = id.lastIndex(of: "_") else { return nil }
        let suffix = String(id[id.index(after: split)...])
        guard let start = RFC3339.parseCompact(suffix, in: RFC3339.utc) else { return nil }
        let original: JSONValue = suffix.count == 8
            ? ["date": .string(RFC3339.formatDate(start))] : ["dateTime": .string(RFC3339.format(start))]
        return ["recurringEventId": .string(String(id[..<split])), "originalStartTime": original]
    }

    private func googlePage(_ page: PageCursor, maxResults: Int) -> Reply {
        var page = page
        var body: [String: JSONValue] = [
            "kind": "calendar#events", "etag": .string(self.googleEtag()), "summary": .string(page.email),
            "updated": .string(self.googleNow), "timeZone": .string(self.googleCalendarZones[page.storeKey] ?? "UTC"),
            "accessRole": "owner", "defaultReminders": [],
        ]
        let slice: ArraySlice<JSONValue>
        if page.emptyNext {
            slice = []
            page.emptyNext = false
        } else {
            slice = page.items[page.offset..<min(page.items.count, page.offset + maxResults)]
            page.offset += slice.count
            page.emptyNext = self.quirks.emptyPages
        }
        body["items"] = .array(Array(slice))
        if page.offset < page.items.count || page.emptyNext && !slice.isEmpty {
            let token = self.token("CiAK", 40)
            self.pageCursors[token] = page
            body["nextPageToken"] = .string(token)
        } else {
            let token = "CPj" + self.generator.alphanumeric(24) + "GAEgAQ=="
            self.syncCursors[token] = page.final
            body["nextSyncToken"] = .string(token)
        }
        return .json(200, .object(body))
    }

    /// `calendars.get`: the calendar resource, with its time zone.
    func googleCalendar(_ key: String, email: String, calendarId: String) -> Reply {
        .json(200, [
            "kind": "calendar#calendar", "etag": .string(self.googleEtag()),
            "id": .string(calendarId == "primary" ? email : calendarId), "summary": .string(email),
            "timeZone": .string(self.googleCalendarZones[key] ?? "UTC"),
        ])
    }

    /// Control API: set a calendar's time zone (what listings and `calendars.get` report).
    func controlGoogleCalendarZone(email: String, calendarId: String, zone: String?) -> Reply {
        guard let zone, TimeZone(identifier: zone) != nil else { return .json(400, ["error": "timeZone must be an IANA zone"]) }
        guard let key = self.googleStore(email.lowercased(), calendarId, create: true) else { return GoogleError.notFound() }
        self.googleCalendarZones[key] = zone
        return .noContent
    }
}
