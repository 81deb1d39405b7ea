/// What the sync core needs from a calendar provider client, whichever the provider.
/// `GoogleCalendarClient` and `GraphCalendarClient` conform; push channels differ per
/// provider and stay on the concrete types.
public protocol CalendarClient: Sendable {
    /// Lists one page from a position.
    func listPage(_ position: ListPosition) async throws(ProviderError) -> EventPage
    /// Reads one event.
    func event(id: String) async throws(ProviderError) -> CalendarEvent
    /// Creates an event, idempotently when it has a `clientId`.
    func create(_ event: CalendarEvent) async throws(ProviderError) -> CalendarEvent
    /// Updates an event, guarded by `If-Match` when an etag is given.
    func update(_ event: CalendarEvent, ifMatch etag: String?) async throws(ProviderError) -> CalendarEvent
    /// Deletes an event, guarded by `If-Match` when an etag is given.
    func delete(id: String, ifMatch etag: String?) async throws(ProviderError)
    /// The connected account's email address.
    func accountEmail() async throws(ProviderError) -> String
}

extension GoogleCalendarClient: CalendarClient {}
extension GraphCalendarClient: CalendarClient {}

extension CalendarClient {
    /// The pages of a listing from `position` (`.start(from: storedCursor)` for a sync), in
    /// order; the last page's `next` is `.done(cursor)`.
    public func pages(from position: ListPosition) -> EventPageSequence<Self> {
        EventPageSequence(client: self, start: position)
    }
}
