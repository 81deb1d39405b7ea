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
        let views = self.googleViews(self.googleStores[key] ?? EventStore(), singleEvents: singleEvents, windowStart: timeMin, windowEnd: timeMax)
        var ordered = views
        if query["orderBy"] == "startTime" {
            ordered.sort { (EventTiming.google($0.json)?.start ?? .distantPast) < (EventTiming.google($1.json)?.start ?? .distantPast) }
        }
        let items = ordered.filter { showDeleted || !$0.cancelled }.map { JSONValue.object($0.json) }
        var snapshotCursor = final
        snapshotCursor.snapshot = self.googleSnapshot(views)
        let page = PageCursor(email: email, storeKey: key, items: items, offset: 0, emptyNext: self.quirks.emptyPages, final: snapshotCursor)
        return self.googlePage(page, maxResults: maxResults)
    }

    /// Live (not cancelled) items by id → version.
    nonisolated func snapshot(_ views: [ItemView]) -> [String: String] {
        Dictionary(views.filter { !$0.cancelled }.map { ($0.id, $0.version) }, uniquingKeysWith: { first, _ in first })
    }

    /// Google's snapshot also remembers cancelled items (their version marked), so that a
    /// deletion is reported once whenever it happened after the token, even for an event
    /// the token never saw live ("with syncToken, deleted events are always returned").
    nonisolated func googleSnapshot(_ views: [ItemView]) -> [String: String] {
        Dictionary(views.map { ($0.id, $0.cancelled ? Self.cancelledMark + $0.version : $0.version) }, uniquingKeysWith: { first, _ in first })
    }

    static let cancelledMark = "cancelled:"

    private func googleStartIncremental(_ cursor: SyncCursor, maxResults: Int) -> Reply {
        let store = self.googleStores[cursor.storeKey] ?? EventStore()
        let views = self.googleViews(store, singleEvents: cursor.singleEvents, windowStart: cursor.windowStart, windowEnd: cursor.windowEnd)
        var items: [JSONValue] = []
        var seen: Set<String> = []
        for view in views {
            seen.insert(view.id)
            if view.cancelled {
                if cursor.snapshot[view.id] != Self.cancelledMark + view.version {
                    items.append(self.googleTombstone(view.id, from: view.json))
                }
            } else if cursor.snapshot[view.id] != view.version {
                items.append(.object(view.json))
            }
        }
        for (id, version) in cursor.snapshot.sorted(by: { $0.key < $1.key })
        where !seen.contains(id) && !version.hasPrefix(Self.cancelledMark) {
            items.append(self.googleTombstone(id, from: store.events[id]?.json ?? self.googleInstanceStub(id)))
        }
        var next = cursor
        next.snapshot = self.googleSnapshot(views)
        let page = PageCursor(email: cursor.email, storeKey: cursor.storeKey, items: items, offset: 0, emptyNext: self.quirks.emptyPages, final: next)
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
            "updated": .string(self.googleNow), "timeZone": "UTC", "accessRole": "owner", "defaultReminders": [],
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
}
