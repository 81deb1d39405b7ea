import Foundation
import Testing
@testable import CRMSyncProviders

@Suite struct RequestShapeTests {
    let endpoints = ProviderEndpoints.sandbox(URL(string: "http://127.0.0.1:1")!)

    func google(_ transport: ScriptedTransport) -> GoogleCalendarClient {
        GoogleCalendarClient(calendarId: "team#holiday@group.calendar.google.com", endpoints: self.endpoints, tokens: StaticAccessToken("t"),
                             http: ProviderHTTPClient(transport: transport, sleeper: RecordingSleeper()), listing: ListingOptions(pageSize: 50))
    }

    func query(_ request: HTTPRequest) -> [String: String] {
        Dictionary(URLEncoding.queryItems(of: request.url), uniquingKeysWith: { first, _ in first })
    }

    @Test func googleFullThenIncrementalParameters() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.json(200, #"{"items":[],"nextPageToken":"p+2/="}"#),
            ScriptedTransport.json(200, #"{"items":[],"nextSyncToken":"s1"}"#),
            ScriptedTransport.json(200, #"{"items":[],"nextSyncToken":"s2"}"#),
        ])
        let client = self.google(transport)
        let first = try await client.listPage(.full)
        guard case .page(let continuation) = first.next else { Issue.record("expected a next page"); return }
        let second = try await client.listPage(.continuation(continuation))
        #expect(second.next == .done(SyncCursor("s1")))
        _ = try await client.listPage(.changes(since: SyncCursor("s1")))
        let sent = transport.sent
        #expect(sent[0].url.absoluteString.hasPrefix("http://127.0.0.1:1/calendar/v3/calendars/team%23holiday@group.calendar.google.com/events?"))
        let full = self.query(sent[0])
        #expect(full["singleEvents"] == "true" && full["showDeleted"] == "true" && full["maxResults"] == "50")
        #expect(full["timeMin"] != nil && full["timeMax"] != nil && full["syncToken"] == nil)
        let page = self.query(sent[1])
        #expect(page["pageToken"] == "p+2/=" && page["timeMin"] == full["timeMin"])
        let incremental = self.query(sent[2])
        #expect(incremental["syncToken"] == "s1" && incremental["singleEvents"] == "true" && incremental["showDeleted"] == "true")
        #expect(incremental["timeMin"] == nil && incremental["timeMax"] == nil)
    }

    @Test func graphFollowsLinksVerbatimAndOnlyOnItsOrigin() async throws {
        let next = "http://127.0.0.1:1/v1.0/me/calendarView/delta?$skiptoken=abc%3D%3D"
        let transport = ScriptedTransport([
            ScriptedTransport.json(200, #"{"value":[],"@odata.nextLink":"\#(next)"}"#),
            ScriptedTransport.json(200, #"{"value":[{"id":"x","@removed":{"reason":"changed"}}],"@odata.deltaLink":"http://127.0.0.1:1/v1.0/me/calendarView/delta?$deltatoken=d1"}"#),
        ])
        let client = GraphCalendarClient(endpoints: self.endpoints, tokens: StaticAccessToken("t"),
                                         http: ProviderHTTPClient(transport: transport, sleeper: RecordingSleeper()), listing: ListingOptions(pageSize: 10))
        let first = try await client.listPage(.full)
        #expect(first.next == .page(PageContinuation(url: next)))
        let second = try await client.listPage(.continuation(PageContinuation(url: next)))
        #expect(second.events == [CalendarEvent(id: "x", status: .removed)])
        let sent = transport.sent
        #expect(sent[1].url.absoluteString == next)
        #expect(sent.allSatisfy { $0.headers["Prefer"] == "odata.maxpagesize=10, outlook.timezone=\"UTC\", outlook.body-content-type=\"text\"" })
        let query = self.query(sent[0])
        #expect(query["startDateTime"]?.hasSuffix("Z") == true && query["endDateTime"] != nil)
        // A nextLink to another origin is refused; a stored cursor for another origin is unusable
        // (the endpoints moved), which means relisting from scratch. Neither is requested.
        await #expect(throws: ProviderError.invalidArgument("link is not a Microsoft Graph URL")) {
            _ = try await client.listPage(.continuation(PageContinuation(url: "https://evil.example/v1.0/me/calendarView/delta")))
        }
        await #expect(throws: ProviderError.cursorExpired) {
            _ = try await client.listPage(.changes(since: SyncCursor("https://evil.example/v1.0/me/calendarView/delta")))
        }
        #expect(transport.sent.count == 2)
    }

    @Test func channelExpirationAsStringOrNumber() throws {
        for json in [#"{"id":"c","resourceId":"r","expiration":"1772000000000"}"#, #"{"id":"c","resourceId":"r","expiration":1772000000000}"#] {
            let channel = try JSONDecoder().decode(GoogleChannelResource.self, from: Data(json.utf8))
            #expect(channel.expiration?.date == Date(timeIntervalSince1970: 1_772_000_000))
        }
    }

    @Test func logsCarryNoTokensOrQueries() async throws {
        let capture = LogCapture()
        let transport = ScriptedTransport([
            ScriptedTransport.json(401, "{}"),
            ScriptedTransport.json(503, "{}"),
            ScriptedTransport.json(200, #"{"items":[],"nextSyncToken":"sync-secret"}"#),
        ])
        let client = GoogleCalendarClient(endpoints: self.endpoints, tokens: CountingTokens(),
                                          http: ProviderHTTPClient(transport: transport, sleeper: RecordingSleeper(), logger: capture.logger))
        _ = try await client.listPage(.changes(since: SyncCursor("cursor-secret")))
        let log = capture.text
        #expect(log.contains("GET /calendar/v3/calendars/primary/events"))
        #expect(!log.contains("token-") && !log.contains("cursor-secret") && !log.contains("sync-secret") && !log.contains("Bearer"))
    }

    /// Google merges a PATCH body into the stored event: a patch switching the timing's form
    /// must null the other form, or the old `date` / `dateTime` stays.
    @Test func googlePatchNullsTheOtherTimingForm() async throws {
        let reply = #"{"id":"abcde","etag":"\"2\"","status":"confirmed","start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}}"#
        // Each update reads the event first (to send only what changed).
        let allDayNow = #"{"id":"abcde","etag":"\"1\"","status":"confirmed","summary":"T","start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}}"#
        let timedNow = #"{"id":"abcde","etag":"\"2\"","status":"confirmed","summary":"A","start":{"dateTime":"2026-05-01T08:00:00Z","timeZone":"UTC"},"end":{"dateTime":"2026-05-01T09:00:00Z","timeZone":"UTC"}}"#
        let transport = ScriptedTransport([
            ScriptedTransport.json(200, allDayNow), ScriptedTransport.json(200, reply),
            ScriptedTransport.json(200, timedNow), ScriptedTransport.json(200, reply),
        ])
        let client = self.google(transport)
        let timed = CalendarEvent(
            id: "abcde", title: "T",
            timing: .timed(start: Fixtures.date("2026-05-01T08:00:00Z"), end: Fixtures.date("2026-05-01T09:00:00Z"), timeZone: "UTC"))
        _ = try await client.update(timed, ifMatch: "\"1\"")
        let allDay = CalendarEvent(
            id: "abcde", title: "A", timing: .allDay(startDate: Fixtures.day("2026-05-01"), endDate: Fixtures.day("2026-05-02")))
        _ = try await client.update(allDay, ifMatch: nil)
        let sent = transport.sent
        #expect(sent.map(\.method) == ["GET", "PATCH", "GET", "PATCH"])
        func part(_ request: HTTPRequest, _ key: String) throws -> [String: Any] {
            let data = try #require(request.body)
            let object = try JSONSerialization.jsonObject(with: data)
            let body = try #require(object as? [String: Any])
            return try #require(body[key] as? [String: Any])
        }
        for key in ["start", "end"] {
            let first = try part(sent[1], key)
            #expect(first["date"] is NSNull, "timed patch must send \(key).date: null")
            #expect(first["dateTime"] is String && first["timeZone"] as? String == "UTC")
            let second = try part(sent[3], key)
            #expect(second["date"] is String)
            #expect(second["dateTime"] is NSNull && second["timeZone"] is NSNull, "all-day patch must null \(key).dateTime/timeZone")
        }
        // inserts carry only the form in use
        let encoded = try JSONCoding.encode(GoogleEvent(timed))
        let insert = try JSONSerialization.jsonObject(with: encoded) as? [String: Any]
        let start = try #require(insert?["start"] as? [String: Any])
        #expect(start.keys.sorted() == ["dateTime", "timeZone"])
    }

    /// A CRM edit of an Outlook meeting sent `"attendees": []` (Outlook cancelled
    /// the invitations) and its description as text over an HTML body. An update now PATCHes
    /// only what differs from the event as read, bodies asked for and sent as text.
    @Test func graphUpdateSendsOnlyWhatChanged() async throws {
        let current = #"{"id":"ev1","@odata.etag":"W/\"k1\"","subject":"A","body":{"contentType":"text","content":"Agenda: budget"},"location":{"displayName":"Room 1"},"start":{"dateTime":"2026-05-01T08:00:00.0000000","timeZone":"UTC"},"end":{"dateTime":"2026-05-01T09:00:00.0000000","timeZone":"UTC"},"originalStartTimeZone":"UTC","attendees":[{"type":"required","emailAddress":{"address":"ann@example.com"}}]}"#
        let reply = #"{"id":"ev1","@odata.etag":"W/\"k2\"","subject":"B"}"#
        let transport = ScriptedTransport([
            ScriptedTransport.json(200, current), ScriptedTransport.json(200, reply),
            ScriptedTransport.json(200, current), ScriptedTransport.json(200, reply),
            ScriptedTransport.json(200, current),
        ])
        let client = GraphCalendarClient(endpoints: self.endpoints, tokens: StaticAccessToken("t"),
                                         http: ProviderHTTPClient(transport: transport, sleeper: RecordingSleeper()))
        let timing = EventTiming.timed(start: Fixtures.date("2026-05-01T08:00:00Z"), end: Fixtures.date("2026-05-01T09:00:00Z"), timeZone: "UTC")
        // The CRM's appointment: no attendees (it does not manage them), the body's text unchanged.
        let edit = CalendarEvent(id: "ev1", title: "B", description: "Agenda: budget", location: "Room 1", timing: timing, clientId: UUID())
        _ = try await client.update(edit, ifMatch: "W/\"k1\"")
        func body(_ request: HTTPRequest) throws -> [String: Any] {
            let data = try #require(request.body)
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        var sent = transport.sent
        #expect(sent.map(\.method) == ["GET", "PATCH"])
        #expect(sent.allSatisfy { $0.headers["Prefer"]?.contains("outlook.body-content-type=\"text\"") == true })
        #expect(sent[1].headers["If-Match"] == "W/\"k1\"")
        #expect(try body(sent[1]).keys.sorted() == ["subject"])

        // A changed text goes out as text.
        var text = edit
        text.description = "New agenda"
        _ = try await client.update(text, ifMatch: "W/\"k1\"")
        sent = transport.sent
        let patch = try body(sent[3])
        #expect(patch.keys.sorted() == ["body", "subject"])
        #expect(patch["body"] as? [String: String] == ["contentType": "text", "content": "New agenda"])

        // Nothing changed: no PATCH at all.
        var same = edit
        same.title = "A"
        _ = try await client.update(same, ifMatch: "W/\"k1\"")
        #expect(transport.sent.map(\.method) == ["GET", "PATCH", "GET", "PATCH", "GET"])
    }

    /// A create with a valid client-chosen id (re-creating an appointment's deleted event)
    /// uses it, and the private property still names the appointment.
    @Test func googleCreateWithAFreshIdKeepsTheAppointment() async throws {
        let reply = #"{"id":"abcde12345","etag":"\"1\"","status":"confirmed","start":{"date":"2026-05-01"},"end":{"date":"2026-05-02"}}"#
        let transport = ScriptedTransport([ScriptedTransport.json(200, reply), ScriptedTransport.json(200, reply)])
        let client = self.google(transport)
        let appointment = UUID()
        let timing = EventTiming.allDay(startDate: Fixtures.day("2026-05-01"), endDate: Fixtures.day("2026-05-02"))
        _ = try await client.create(CalendarEvent(id: "abcde12345", title: "A", timing: timing, clientId: appointment))
        _ = try await client.create(CalendarEvent(title: "A", timing: timing, clientId: appointment))
        let bodies = try transport.sent.map { request in
            let data = try #require(request.body)
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        #expect(bodies[0]["id"] as? String == "abcde12345")
        #expect(bodies[1]["id"] as? String == GoogleEventID.derive(from: appointment))
        for body in bodies {
            let properties = (body["extendedProperties"] as? [String: Any])?["private"] as? [String: String]
            #expect(properties?.values.contains(appointment.uuidString.lowercased()) == true)
        }
    }
}
