import CRMSyncSupport
import Foundation
import Testing

@testable import ProviderSandbox

@Suite struct SeriesAndTimeZoneTests {
    @Test func graphSeriesKeepsWallTimeAcrossDSTAndAllDayStaysOnItsDate() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.microsoft, email: "bob@contoso.com").access
            var series = graphEvent("Weekly", day: 4).object!
            series["recurrence"] = [
                "pattern": ["type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]],
                "range": ["type": "endDate", "startDate": "2025-03-04", "endDate": "2025-03-18"],
            ]
            _ = try await api.json(.post, "/v1.0/me/events", token: token, .object(series))
            let allDay: JSONValue = [
                "subject": "Offsite", "isAllDay": true,
                "start": ["dateTime": "2025-03-09T00:00:00", "timeZone": "W. Europe Standard Time"],
                "end": ["dateTime": "2025-03-11T00:00:00", "timeZone": "W. Europe Standard Time"],
            ]
            #expect(try await api.json(.post, "/v1.0/me/events", token: token, allDay).status == 201)

            let page = try await api.json(.get, deltaStart, token: token, headers: ["Prefer": "odata.maxpagesize=50"])
            let items = page.json["value"]?.array ?? []
            let starts = items.filter { $0["type"]?.string == "occurrence" }.compactMap { $0["start"]?["dateTime"]?.string }
            #expect(starts == ["2025-03-04T17:00:00.0000000", "2025-03-11T16:00:00.0000000", "2025-03-18T16:00:00.0000000"])
            let offsite = try #require(items.first { $0["subject"]?.string == "Offsite" })
            #expect(offsite["start"]?["dateTime"]?.string == "2025-03-09T00:00:00.0000000")
            #expect(offsite["end"]?["dateTime"]?.string == "2025-03-11T00:00:00.0000000")
            #expect(offsite["isAllDay"]?.bool == true)
        }
    }

    @Test func googleDailySeriesWithUntilAndAllDayInstances() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.google, email: "ann@example.com").access
            let series: JSONValue = [
                "id": "tripa00001", "summary": "Trip",
                "start": ["date": "2025-03-29"], "end": ["date": "2025-03-30"],
                "recurrence": ["RRULE:FREQ=DAILY;UNTIL=20250331", "EXDATE;VALUE=DATE:20250330"],
            ]
            #expect(try await api.json(.post, eventsPath, token: token, series).status == 200)
            let list = try await api.json(.get, eventsPath + "?singleEvents=true", token: token)
            let items = list.json["items"]?.array ?? []
            #expect(items.compactMap { $0["id"]?.string } == ["tripa00001_20250329", "tripa00001_20250331"])
            #expect(items.last?["start"] == ["date": "2025-03-31"])
            #expect(items.last?["end"] == ["date": "2025-04-01"])
            #expect(items.last?["originalStartTime"] == ["date": "2025-03-31"])
        }
    }
}
