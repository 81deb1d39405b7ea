import Foundation

extension GoogleCalendarClient {
    /// Lists one page. `.full` lists the configured window with `singleEvents=true` and
    /// `showDeleted=true`; `.changes(since:)` repeats those parameters with the `syncToken`
    /// (and no window); a continuation repeats the request with the `pageToken`.
    /// Throws `cursorExpired` when Google answers 410 `fullSyncRequired`.
    public func listPage(_ position: ListPosition) async throws(ProviderError) -> EventPage {
        let url: URL
        switch position {
        case .full:
            let now = self.http.sleeper.now()
            url = URLEncoding.url(self.eventsURL, query: self.baseQuery + [
                ("timeMin", RFC3339.format(now.addingTimeInterval(-self.listing.windowBack.seconds))),
                ("timeMax", RFC3339.format(now.addingTimeInterval(self.listing.windowAhead.seconds))),
            ])
        case .changes(let cursor):
            url = URLEncoding.url(self.eventsURL, query: self.baseQuery + [("syncToken", cursor.value)])
        case .continuation(let continuation):
            guard let next = URL(string: continuation.url), URLEncoding.sameOrigin(next, self.endpoints.googleAPIBase) else {
                throw .invalidArgument("continuation is not a Google Calendar URL")
            }
            url = next
        }
        let response = try await self.send("GET", url, context: .listing)
        let list = try JSONCoding.decode(GoogleEventList.self, from: response.body, what: "events.list page")
        var events: [CalendarEvent] = []
        for item in list.items ?? [] {
            events.append(try item.normalized(calendarTimeZone: list.timeZone))
        }
        if let pageToken = list.nextPageToken {
            let query = URLEncoding.queryItems(of: url).filter { $0.0 != "pageToken" } + [("pageToken", pageToken)]
            return EventPage(events: events, next: .page(PageContinuation(url: URLEncoding.url(self.eventsURL, query: query).absoluteString)))
        }
        guard let syncToken = list.nextSyncToken else {
            throw .invalidResponse("last events.list page has no nextSyncToken")
        }
        return EventPage(events: events, next: .done(SyncCursor(syncToken)))
    }

    var baseQuery: [(String, String)] {
        [("singleEvents", "true"), ("showDeleted", "true"), ("maxResults", String(self.listing.pageSize))]
    }
}
