import Foundation

/// Google Calendar API v3 for one calendar of one account: listing (full and incremental),
/// create with a client-chosen id, update and delete with `If-Match`, and push channels.
public struct GoogleCalendarClient: Sendable {
    /// The calendar (`primary` by default).
    public var calendarId: String
    /// Where the API lives.
    public var endpoints: ProviderEndpoints
    /// Bearer tokens for the account.
    public var tokens: any AccessTokenProvider
    /// Transport, retries, clock and logger.
    public var http: ProviderHTTPClient
    /// Window and page size of listings.
    public var listing: ListingOptions
    /// Whether Google mails attendees about writes (`sendUpdates`); nil leaves Google's default.
    public var sendUpdates: SendUpdates?

    /// Creates a client.
    public init(
        calendarId: String = "primary",
        endpoints: ProviderEndpoints = ProviderEndpoints(),
        tokens: any AccessTokenProvider,
        http: ProviderHTTPClient = ProviderHTTPClient(),
        listing: ListingOptions = ListingOptions(),
        sendUpdates: SendUpdates? = nil
    ) {
        self.calendarId = calendarId
        self.endpoints = endpoints
        self.tokens = tokens
        self.http = http
        self.listing = listing
        self.sendUpdates = sendUpdates
    }

    /// Google's `sendUpdates` values.
    public enum SendUpdates: String, Sendable, Hashable {
        case all
        case externalOnly
        case none
    }

    var eventsURL: URL {
        URLEncoding.url(self.endpoints.googleAPIBase, path: ["calendars", self.calendarId, "events"])
    }

    func eventURL(_ id: String, query: [(String, String)] = []) -> URL {
        URLEncoding.url(self.endpoints.googleAPIBase, path: ["calendars", self.calendarId, "events", id], query: query)
    }

    var writeQuery: [(String, String)] {
        self.sendUpdates.map { [("sendUpdates", $0.rawValue)] } ?? []
    }

    func send(_ method: String, _ url: URL, body: Data? = nil, headers: [String: String] = [:],
              context: RequestContext = .target) async throws(ProviderError) -> HTTPResponse {
        let request = HTTPRequest(method: method, url: url, headers: JSONCoding.headers.merging(headers) { $1 }, body: body)
        return try await self.http.send(request, tokens: self.tokens, context: context)
    }
}
