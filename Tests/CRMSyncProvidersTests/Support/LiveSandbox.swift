import CRMSyncSandboxSupport
import Foundation
import Synchronization
import Testing
@testable import CRMSyncProviders

/// A ProviderSandbox listening on a free loopback port for the duration of one test, with
/// helpers to play the user (control API) and to connect an account through real OAuth.
struct LiveSandbox: Sendable {
    let base: URL
    let sleeper: RecordingSleeper
    var endpoints: ProviderEndpoints { .sandbox(self.base) }
    static let redirect = URL(string: "http://127.0.0.1:53682/callback")!

    static func run(_ body: @Sendable (LiveSandbox) async throws -> Void) async throws {
        try await SandboxServer.run(seed: 7) { base in
            try await body(LiveSandbox(base: base, sleeper: RecordingSleeper(now: Date())))
        }
    }

    /// The HTTP stack for clients under test: real transport, recording clock, seeded jitter.
    func http(transport: any HTTPTransport = URLSessionTransport(defaultTimeout: .seconds(10))) -> ProviderHTTPClient {
        ProviderHTTPClient(transport: transport, timeout: .seconds(10), sleeper: self.sleeper, jitter: SeededJitter(seed: 3))
    }

    /// Calls the control API; returns the JSON answer.
    @discardableResult
    func control(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let request = HTTPRequest(method: method, url: URL(string: self.base.absoluteString + path)!, headers: ["Content-Type": "application/json"], body: data)
        let response = try await URLSessionTransport().send(request)
        #expect(response.isSuccess, "control \(method) \(path) answered \(response.status)")
        return response.body.isEmpty ? nil : try JSONSerialization.jsonObject(with: response.body)
    }

    func oauthClient(_ provider: CalendarProviderKind, clientId: String = "sandbox-client", secret: String = "sandbox-secret") -> OAuthClient {
        OAuthClient(provider: provider, credentials: OAuthCredentials(clientId: clientId, clientSecret: secret), endpoints: self.endpoints, http: self.http())
    }

    /// The whole authorization-code flow: authorize (the sandbox consents for the
    /// `login_hint` user and redirects), check `state`, exchange the code with PKCE.
    func connect(_ provider: CalendarProviderKind, email: String) async throws -> TokenSet {
        let client = self.oauthClient(provider)
        let authorization = client.authorizationRequest(
            redirectURI: Self.redirect, scopes: OAuthFeature.scopes(for: [.calendar], provider: provider), loginHint: email
        )
        let response = try await URLSessionTransport(followsRedirects: false).send(HTTPRequest(method: "GET", url: authorization.url))
        #expect(response.status == 302)
        let location = try #require(response.header("Location").flatMap(URL.init(string:)))
        let query = Dictionary(URLEncoding.queryItems(of: location), uniquingKeysWith: { first, _ in first })
        #expect(query["state"] == authorization.state)
        let code = try #require(query["code"])
        return try await client.exchange(code: code, codeVerifier: authorization.pkce.verifier, redirectURI: Self.redirect)
    }

    func googleClient(email: String, pageSize: Int = 250, transport: (any HTTPTransport)? = nil) async throws -> (GoogleCalendarClient, OAuthTokenProvider) {
        let tokens = OAuthTokenProvider(tokens: try await self.connect(.google, email: email), client: self.oauthClient(.google))
        let http = transport.map { self.http(transport: $0) } ?? self.http()
        return (GoogleCalendarClient(endpoints: self.endpoints, tokens: tokens, http: http, listing: ListingOptions(pageSize: pageSize)), tokens)
    }

    func graphClient(email: String, pageSize: Int = 250) async throws -> (GraphCalendarClient, OAuthTokenProvider) {
        let tokens = OAuthTokenProvider(tokens: try await self.connect(.outlook, email: email), client: self.oauthClient(.outlook))
        return (GraphCalendarClient(endpoints: self.endpoints, tokens: tokens, http: self.http(), listing: ListingOptions(pageSize: pageSize)), tokens)
    }
}

/// Lists from `position` to the end; returns the events, the cursor and how many pages were empty.
func listAll(_ position: ListPosition, _ page: (ListPosition) async throws(ProviderError) -> EventPage) async throws -> (events: [CalendarEvent], cursor: SyncCursor, pages: Int, emptyPages: Int) {
    var position = position
    var events: [CalendarEvent] = []
    var pages = 0, empty = 0
    while true {
        let result = try await page(position)
        pages += 1
        if result.events.isEmpty { empty += 1 }
        events += result.events
        switch result.next {
        case .page(let continuation): position = .continuation(continuation)
        case .done(let cursor): return (events, cursor, pages, empty)
        }
        if pages > 100 { throw ProviderError.invalidResponse("too many pages") }
    }
}

/// A transport that delivers the first request matching `method` to the sandbox and then
/// loses the response (as a timeout), as a network does after the provider applied a write.
final class LosingTransport: HTTPTransport {
    let inner = URLSessionTransport(defaultTimeout: .seconds(10))
    let method: String
    private let lost = Synchronization.Mutex(false)

    init(losingFirst method: String) {
        self.method = method
    }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let response = try await self.inner.send(request)
        let lose = request.method == self.method && self.lost.withLock { lost in defer { lost = true }; return !lost }
        if lose { throw .timedOut }
        return response
    }
}

func timed(_ start: String, minutes: Int, zone: String = "Europe/Berlin") -> EventTiming {
    let first = Fixtures.date(start)
    return .timed(start: first, end: first.addingTimeInterval(Double(minutes) * 60), timeZone: zone)
}

/// An ISO timestamp `days` from now at 09:00 UTC, inside the default listing window.
func soon(days: Int) -> String {
    let day = LocalDate(daysSinceEpoch: Int(Date().timeIntervalSince1970 / 86_400) + days)
    return "\(day.iso)T09:00:00Z"
}
