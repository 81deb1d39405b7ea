import Foundation
import Testing
@testable import CRMSyncProviders

@Suite struct GoogleEventMappingTests {
    @Test func timedEventWithZoneAttendeesAndHTML() throws {
        let event = try Fixtures.googleEvent("""
        {"kind":"calendar#event","etag":"\\"3181161784712000\\"","id":"4eahs9ghkhrvkld72hogu9ph3e",
         "status":"confirmed","htmlLink":"https://www.google.com/calendar/event?eid=x",
         "created":"2026-02-20T10:00:00.000Z","updated":"2026-03-01T10:00:00.000Z",
         "summary":"Quarterly review","description":"<p>Agenda: <b>numbers</b></p>","location":"Room 4",
         "creator":{"email":"ana@example.com"},"organizer":{"email":"ana@example.com","displayName":"Ana","self":true},
         "start":{"dateTime":"2026-03-08T09:00:00-08:00","timeZone":"America/Los_Angeles"},
         "end":{"dateTime":"2026-03-08T10:30:00-07:00","timeZone":"America/Los_Angeles"},
         "iCalUID":"4eahs9ghkhrvkld72hogu9ph3e@google.com","sequence":0,
         "attendees":[{"email":"ana@example.com","displayName":"Ana","organizer":true,"self":true,"responseStatus":"accepted"},
                      {"email":"bo@example.com","responseStatus":"needsAction","optional":true},
                      {"email":"cy@example.com","responseStatus":"tentative"}],
         "reminders":{"useDefault":true}}
        """)
        #expect(event.id == "4eahs9ghkhrvkld72hogu9ph3e")
        #expect(event.etag == "\"3181161784712000\"")
        #expect(event.status == .confirmed)
        #expect(event.descriptionFormat == .html)
        #expect(event.description == "<p>Agenda: <b>numbers</b></p>")
        #expect(event.timing == .timed(start: Fixtures.date("2026-03-08T17:00:00Z"), end: Fixtures.date("2026-03-08T17:30:00Z"), timeZone: "America/Los_Angeles"))
        #expect(event.organizer == EventParticipant(email: "ana@example.com", name: "Ana"))
        #expect(event.attendees.map(\.responseStatus) == [.accepted, .needsAction, .tentative])
        #expect(event.attendees[1].isOptional)
        #expect(event.updated == Fixtures.date("2026-03-01T10:00:00Z"))
        #expect(try Fixtures.googleRoundTrip(event) == event)
    }

    @Test func allDaySingleAndMultiDayAcrossDST() throws {
        let single = try Fixtures.googleEvent("""
        {"id":"allday1","status":"confirmed","summary":"Offsite","start":{"date":"2026-03-03"},"end":{"date":"2026-03-04"}}
        """)
        #expect(single.timing == .allDay(startDate: Fixtures.day("2026-03-03"), endDate: Fixtures.day("2026-03-04")))
        let acrossDST = try Fixtures.googleEvent("""
        {"id":"allday2","summary":"Trip","start":{"date":"2026-03-07"},"end":{"date":"2026-03-10"}}
        """)
        #expect(acrossDST.timing == .allDay(startDate: Fixtures.day("2026-03-07"), endDate: Fixtures.day("2026-03-10")))
        #expect(try Fixtures.googleRoundTrip(single) == single)
        #expect(try Fixtures.googleRoundTrip(acrossDST) == acrossDST)
        let json = try #require(String(data: JSONEncoder().encode(GoogleEvent(acrossDST)), encoding: .utf8))
        #expect(json.contains("\"date\":\"2026-03-07\"") && json.contains("\"date\":\"2026-03-10\""))
    }

    @Test func recurringInstanceKeepsSeriesAndOriginalStart() throws {
        let event = try Fixtures.googleEvent("""
        {"id":"abc123_20260310T170000Z","status":"confirmed","summary":"Standup","recurringEventId":"abc123",
         "originalStartTime":{"dateTime":"2026-03-10T10:00:00-07:00","timeZone":"America/Los_Angeles"},
         "start":{"dateTime":"2026-03-10T11:00:00-07:00","timeZone":"America/Los_Angeles"},
         "end":{"dateTime":"2026-03-10T11:15:00-07:00","timeZone":"America/Los_Angeles"},"iCalUID":"abc123@google.com"}
        """)
        #expect(event.seriesId == "abc123")
        #expect(event.originalStart == .dateTime(Fixtures.date("2026-03-10T17:00:00Z")))
        #expect(try Fixtures.googleRoundTrip(event) == event)
        let allDayInstance = try Fixtures.googleEvent("""
        {"id":"s_20260310","recurringEventId":"s","originalStartTime":{"date":"2026-03-10"},"start":{"date":"2026-03-10"},"end":{"date":"2026-03-11"}}
        """)
        #expect(allDayInstance.originalStart == .date(Fixtures.day("2026-03-10")))
        #expect(try Fixtures.googleRoundTrip(allDayInstance) == allDayInstance)
    }

    @Test func cancelledTombstoneWithOnlyId() throws {
        let event = try Fixtures.googleEvent(#"{"kind":"calendar#event","etag":"\"1\"","id":"gone1","status":"cancelled"}"#)
        #expect(event.status == .cancelled)
        #expect(event.isTombstone)
        #expect(event.timing == nil)
        #expect(event.attendees.isEmpty)
        let instance = try Fixtures.googleEvent("""
        {"id":"abc_20260310T170000Z","status":"cancelled","recurringEventId":"abc","originalStartTime":{"dateTime":"2026-03-10T17:00:00Z"}}
        """)
        #expect(instance.seriesId == "abc")
        #expect(try Fixtures.googleRoundTrip(event) == event)
    }

    @Test func missingOptionalFieldsAndCalendarZoneFallback() throws {
        let event = try JSONDecoder().decode(GoogleEvent.self, from: Fixtures.data("""
        {"id":"min1","start":{"dateTime":"2026-04-01T09:00:00+02:00"},"end":{"dateTime":"2026-04-01T10:00:00+02:00"}}
        """)).normalized(calendarTimeZone: "Europe/Berlin")
        #expect(event.title == nil && event.description == nil && event.location == nil && event.organizer == nil)
        #expect(event.status == .confirmed)
        #expect(event.descriptionFormat == .text)
        #expect(event.timing == .timed(start: Fixtures.date("2026-04-01T07:00:00Z"), end: Fixtures.date("2026-04-01T08:00:00Z"), timeZone: "Europe/Berlin"))
        #expect(try Fixtures.googleRoundTrip(event) == event)
    }

    @Test func clientIdTravelsInPrivateExtendedProperty() throws {
        let id = UUID()
        let event = CalendarEvent(title: "From CRM", timing: .allDay(startDate: Fixtures.day("2026-05-01"), endDate: Fixtures.day("2026-05-02")), clientId: id)
        #expect(try Fixtures.googleRoundTrip(event).clientId == id)
    }

    @Test func eventIdsAreBase32HexAndDeterministic() throws {
        let uuid = try #require(UUID(uuidString: "00000000-0000-0000-0000-000000000000"))
        #expect(GoogleEventID.derive(from: uuid) == String(repeating: "0", count: 26))
        let other = try #require(UUID(uuidString: "F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6"))
        let id = GoogleEventID.derive(from: other)
        #expect(id == GoogleEventID.derive(from: other))
        #expect(id.count == 26)
        #expect(GoogleEventID.isValid(id))
        #expect(id.hasPrefix("v0ekv"))
        #expect(!GoogleEventID.isValid("ABCDE"))
        #expect(!GoogleEventID.isValid("abcw0"))
    }
}
