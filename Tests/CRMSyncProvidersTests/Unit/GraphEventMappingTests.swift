import Foundation
import Testing
@testable import CRMSyncProviders

@Suite struct GraphEventMappingTests {
    @Test func timedEventInPacificStandardTime() throws {
        let event = try Fixtures.graphEvent("""
        {"@odata.type":"#microsoft.graph.event","@odata.etag":"W/\\"ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==\\"",
         "id":"AAMkAGI2TG93AAA=","createdDateTime":"2026-02-20T10:00:00.0000000Z",
         "lastModifiedDateTime":"2026-03-01T10:00:00.1234567Z","changeKey":"ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==",
         "originalStartTimeZone":"Pacific Standard Time","originalEndTimeZone":"Pacific Standard Time",
         "iCalUId":"040000008200E00074C5B7101A82E0080000000074F25E9","subject":"Quarterly review",
         "bodyPreview":"Agenda","body":{"contentType":"html","content":"<html><body><p>Agenda</p></body></html>"},
         "isAllDay":false,"isCancelled":false,"showAs":"busy","type":"singleInstance","transactionId":null,
         "start":{"dateTime":"2026-03-08T17:00:00.0000000","timeZone":"UTC"},
         "end":{"dateTime":"2026-03-08T17:30:00.0000000","timeZone":"UTC"},
         "location":{"displayName":"Room 4","locationType":"default"},
         "attendees":[{"type":"required","status":{"response":"accepted","time":"2026-03-01T10:00:00Z"},"emailAddress":{"name":"Bo","address":"bo@example.com"}},
                      {"type":"optional","status":{"response":"none","time":"0001-01-01T00:00:00Z"},"emailAddress":{"name":"Cy","address":"cy@example.com"}},
                      {"type":"required","status":{"response":"tentativelyAccepted"},"emailAddress":{"address":"di@example.com"}},
                      {"type":"required","status":{"response":"declined"},"emailAddress":{"address":"ed@example.com"}}],
         "organizer":{"emailAddress":{"name":"Ana","address":"ana@example.com"}}}
        """)
        #expect(event.etag == "W/\"ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==\"")
        #expect(event.timing == .timed(start: Fixtures.date("2026-03-08T17:00:00Z"), end: Fixtures.date("2026-03-08T17:30:00Z"), timeZone: "America/Los_Angeles"))
        #expect(event.descriptionFormat == .html)
        #expect(event.description == "<html><body><p>Agenda</p></body></html>")
        #expect(event.attendees.map(\.responseStatus) == [.accepted, .needsAction, .tentative, .declined])
        #expect(event.attendees[1].isOptional)
        #expect(event.organizer == EventParticipant(email: "ana@example.com", name: "Ana"))
        #expect(event.updated == Fixtures.date("2026-03-01T10:00:00.1234567Z"))
        #expect(try Fixtures.graphRoundTrip(event) == event)
    }

    @Test func dateTimeReadInTheWindowsZoneItNames() throws {
        let event = try Fixtures.graphEvent("""
        {"id":"e1","subject":"Berlin","isAllDay":false,
         "start":{"dateTime":"2026-03-08T09:00:00.0000000","timeZone":"W. Europe Standard Time"},
         "end":{"dateTime":"2026-03-08T10:00:00.0000000","timeZone":"W. Europe Standard Time"}}
        """)
        #expect(event.timing == .timed(start: Fixtures.date("2026-03-08T08:00:00Z"), end: Fixtures.date("2026-03-08T09:00:00Z"), timeZone: "Europe/Berlin"))
        let json = try #require(String(data: JSONEncoder().encode(GraphEvent(event).writable), encoding: .utf8))
        #expect(json.contains("W. Europe Standard Time"))
        #expect(json.contains("2026-03-08T09:00:00.0000000"))
        #expect(try Fixtures.graphRoundTrip(event) == event)
    }

    @Test func allDaySingleMultiDayAndAcrossDST() throws {
        let single = try Fixtures.graphEvent("""
        {"id":"a1","isAllDay":true,"originalStartTimeZone":"Pacific Standard Time",
         "start":{"dateTime":"2026-03-03T00:00:00.0000000","timeZone":"UTC"},"end":{"dateTime":"2026-03-04T00:00:00.0000000","timeZone":"UTC"}}
        """)
        #expect(single.timing == .allDay(startDate: Fixtures.day("2026-03-03"), endDate: Fixtures.day("2026-03-04")))
        let acrossDST = try Fixtures.graphEvent("""
        {"id":"a2","isAllDay":true,"originalStartTimeZone":"Pacific Standard Time",
         "start":{"dateTime":"2026-03-07T00:00:00.0000000","timeZone":"Pacific Standard Time"},
         "end":{"dateTime":"2026-03-10T00:00:00.0000000","timeZone":"Pacific Standard Time"}}
        """)
        #expect(acrossDST.timing == .allDay(startDate: Fixtures.day("2026-03-07"), endDate: Fixtures.day("2026-03-10")))
        #expect(try Fixtures.graphRoundTrip(single) == single)
        #expect(try Fixtures.graphRoundTrip(acrossDST) == acrossDST)
    }

    @Test func allDayReturnedShiftedIntoUTCStaysOnItsDays() throws {
        let event = try Fixtures.graphEvent("""
        {"id":"a3","isAllDay":true,"originalStartTimeZone":"W. Europe Standard Time",
         "start":{"dateTime":"2026-03-28T23:00:00.0000000","timeZone":"UTC"},
         "end":{"dateTime":"2026-03-29T22:00:00.0000000","timeZone":"UTC"}}
        """)
        #expect(event.timing == .allDay(startDate: Fixtures.day("2026-03-29"), endDate: Fixtures.day("2026-03-30")))
    }

    @Test func occurrenceKeepsSeriesMasterAndOriginalStart() throws {
        let event = try Fixtures.graphEvent("""
        {"id":"occ1","type":"occurrence","seriesMasterId":"master1","originalStart":"2026-03-10T17:00:00Z",
         "originalStartTimeZone":"Pacific Standard Time","subject":"Standup","isAllDay":false,
         "start":{"dateTime":"2026-03-10T17:00:00.0000000","timeZone":"UTC"},"end":{"dateTime":"2026-03-10T17:15:00.0000000","timeZone":"UTC"}}
        """)
        #expect(event.seriesId == "master1")
        #expect(event.originalStart == .dateTime(Fixtures.date("2026-03-10T17:00:00Z")))
        #expect(try Fixtures.graphRoundTrip(event) == event)
    }

    @Test func removedAndCancelledAndMinimal() throws {
        let removed = try Fixtures.graphEvent(##"{"@odata.type":"#microsoft.graph.event","id":"AAMkRemoved=","@removed":{"reason":"deleted"}}"##)
        #expect(removed == CalendarEvent(id: "AAMkRemoved=", status: .removed))
        let cancelled = try Fixtures.graphEvent(#"{"id":"c1","isCancelled":true,"subject":"Canceled: Sync"}"#)
        #expect(cancelled.status == .cancelled)
        let minimal = try Fixtures.graphEvent(#"{"id":"m1"}"#)
        #expect(minimal.timing == nil && minimal.title == nil && minimal.attendees.isEmpty && minimal.status == .confirmed)
        let text = try Fixtures.graphEvent(#"{"id":"t1","body":{"contentType":"text","content":"plain <not html>"}}"#)
        #expect(text.descriptionFormat == .text)
        #expect(try Fixtures.graphRoundTrip(text) == text)
        #expect(try Fixtures.graphRoundTrip(removed) == removed)
    }

    @Test func clientIdIsTheTransactionId() throws {
        let id = UUID()
        let event = CalendarEvent(title: "From CRM", timing: .timed(start: Fixtures.date("2026-05-01T08:00:00Z"), end: Fixtures.date("2026-05-01T09:00:00Z"), timeZone: "Asia/Kolkata"), clientId: id)
        let resource = GraphEvent(event).writable
        #expect(resource.transactionId == id.uuidString.lowercased())
        #expect(resource.start?.timeZone == "India Standard Time")
        #expect(try Fixtures.graphRoundTrip(event) == event)
    }
}
