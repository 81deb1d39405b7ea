import Foundation

/// Microsoft Graph v1.0 calendar for one calendar of one account: delta listing over
/// `calendarView`, create with `transactionId`, update and delete with `If-Match`, and
/// change-notification subscriptions.
public struct GraphCalendarClient: Sendable {
    /// The calendar id; nil for the user's default calendar.
    public var calendarId: String?
    /// Where the API lives.
    public var endpoints: ProviderEndpoints
    /// Bearer tokens for the account.
    public var tokens: any AccessTokenProvider
    /// Transport, retries, clock and logger.
    public var http: ProviderHTTPClient
    /// Window and page size of listings.
    public var listing: ListingOptions

    /// Creates a client.
    public init(
        calendarId: String? = nil,
        endpoints: ProviderEndpoints = ProviderEndpoints(),
        tokens: any AccessTokenProvider,
        http: ProviderHTTPClient = ProviderHTTPClient(),
        listing: ListingOptions = ListingOptions()
    ) {
        self.calendarId = calendarId
        self.endpoints = endpoints
        self.tokens = tokens
        self.http = http
        self.listing = listing
    }

    /// `/me` or `/me/calendars/{id}`.
    var calendarPath: [String] {
        self.calendarId.map { ["me", "calendars", $0] } ?? ["me"]
    }

    func url(_ path: [String], query: [(String, String)] = []) -> URL {
        URLEncoding.url(self.endpoints.graphBase, path: path, query: query)
    }

    func send(_ method: String, _ url: URL, body: Data? = nil, headers: [String: String] = [:],
              context: RequestContext = .target) async throws(ProviderError) -> HTTPResponse {
        let request = HTTPRequest(method: method, url: url, headers: JSONCoding.headers.merging(headers) { $1 }, body: body)
        return try await self.http.send(request, tokens: self.tokens, context: context)
    }

    /// The email address of the connected account (`/me` `mail`, else `userPrincipalName`).
    public func accountEmail() async throws(ProviderError) -> String {
        let response = try await self.send("GET", self.url(["me"]))
        let me = try JSONCoding.decode(GraphUser.self, from: response.body, what: "user")
        guard let email = [me.mail, me.userPrincipalName].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw .invalidResponse("user has neither mail nor userPrincipalName")
        }
        return email
    }
}

/// The `/me` fields read.
struct GraphUser: Decodable {
    var mail: String?
    var userPrincipalName: String?
}
