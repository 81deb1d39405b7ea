import Foundation

extension GraphCalendarClient {
    /// Lists one page of `calendarView/delta`. `.full` starts a new round over the configured
    /// window; `.changes(since:)` follows the stored `@odata.deltaLink` and a continuation the
    /// `@odata.nextLink`, both verbatim. Every request asks `Prefer: odata.maxpagesize` and
    /// UTC times. Throws `cursorExpired` on `syncStateNotFound`/`resyncRequired`.
    public func listPage(_ position: ListPosition) async throws(ProviderError) -> EventPage {
        let url: URL
        switch position {
        case .full:
            let now = Date(timeIntervalSince1970: self.http.sleeper.now().timeIntervalSince1970.rounded(.down))
            url = self.url(self.calendarPath + ["calendarView", "delta"], query: [
                ("startDateTime", RFC3339.format(now.addingTimeInterval(-self.listing.windowBack.seconds))),
                ("endDateTime", RFC3339.format(now.addingTimeInterval(self.listing.windowAhead.seconds))),
            ])
        case .changes(let cursor):
            // A stored delta link for another origin (the endpoints moved, say from a sandbox)
            // cannot be followed: the bearer token must not go there. It is as unusable as an
            // expired one, so the caller relists from scratch.
            do {
                url = try self.link(cursor.value)
            } catch {
                throw .cursorExpired
            }
        case .continuation(let continuation):
            url = try self.link(continuation.url)
        }
        // Bodies as text, as every event read asks (see `eventPreferences`).
        let prefer = "odata.maxpagesize=\(self.listing.pageSize), " + Self.eventPreferences
        let response = try await self.send("GET", url, headers: ["Prefer": prefer], context: .listing)
        let page = try JSONCoding.decode(GraphDeltaPage.self, from: response.body, what: "delta page")
        var events: [CalendarEvent] = []
        for item in page.value ?? [] {
            events.append(try item.normalized())
        }
        if let next = page.nextLink {
            return EventPage(events: events, next: .page(PageContinuation(url: next)))
        }
        guard let delta = page.deltaLink else { throw .invalidResponse("delta page has neither nextLink nor deltaLink") }
        return EventPage(events: events, next: .done(SyncCursor(delta)))
    }

    /// A Graph link, accepted only on Graph's own origin so the bearer token goes nowhere else.
    func link(_ text: String) throws(ProviderError) -> URL {
        guard let url = URL(string: text), URLEncoding.sameOrigin(url, self.endpoints.graphBase) else {
            throw .invalidArgument("link is not a Microsoft Graph URL")
        }
        return url
    }
}
