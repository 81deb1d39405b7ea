import CRMSyncSupport
import Foundation
import Testing

@testable import ProviderSandbox

/// A timed Google event body on 2025-03-`day`.
func googleEvent(_ summary: String, day: Int, id: String? = nil) -> JSONValue {
    var body: [String: JSONValue] = [
        "summary": .string(summary),
        "start": ["dateTime": .string("2025-03-\(RFC3339.pad(day, 2))T09:00:00+01:00"), "timeZone": "Europe/Berlin"],
        "end": ["dateTime": .string("2025-03-\(RFC3339.pad(day, 2))T10:00:00+01:00"), "timeZone": "Europe/Berlin"],
    ]
    if let id { body["id"] = .string(id) }
    return .object(body)
}

let eventsPath = "/calendar/v3/calendars/primary/events"

@Suite struct GoogleCalendarTests {
    @Test func writesEtagsAndErrors() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.google, email: "ann@example.com").access
            let created = try await api.json(.post, eventsPath, token: token, googleEvent("Call", day: 3, id: "crm0001abc"))
            #expect(created.status == 200)
            #expect(created.json["id"]?.string == "crm0001abc")
            #expect(created.json["status"]?.string == "confirmed")
            let etag = try #require(created.json["etag"]?.string)

            let duplicate = try await api.json(.post, eventsPath, token: token, googleEvent("Call", day: 3, id: "crm0001abc"))
            #expect(duplicate.status == 409)
            #expect(duplicate.json["error"]?["errors"]?.array?.first?["reason"]?.string == "duplicate")
            #expect(try await api.json(.post, eventsPath, token: token, googleEvent("x", day: 3, id: "BAD_ID!")).status == 400)

            let patched = try await api.json(.patch, eventsPath + "/crm0001abc", token: token, headers: ["If-Match": etag], ["summary": "Call 2"])
            #expect(patched.status == 200)
            #expect(patched.json["summary"]?.string == "Call 2")
            #expect(patched.json["start"] == created.json["start"])
            #expect(patched.json["etag"]?.string != etag)

            let stale = try await api.json(.put, eventsPath + "/crm0001abc", token: token, headers: ["If-Match": etag], googleEvent("Old", day: 3))
            #expect(stale.status == 412)
            #expect(stale.text == #"{"error":{"code":412,"errors":[{"domain":"global","location":"If-Match","locationType":"header","message":"Precondition Failed","reason":"conditionNotMet"}],"message":"Precondition Failed"}}"#)

            let replaced = try await api.json(.put, eventsPath + "/crm0001abc", token: token, googleEvent("Replaced", day: 4))
            #expect(replaced.json["summary"]?.string == "Replaced")
            #expect(replaced.json["sequence"]?.int == 1)

            #expect(try await api.json(.delete, eventsPath + "/crm0001abc", token: token).status == 204)
            let again = try await api.json(.delete, eventsPath + "/crm0001abc", token: token)
            #expect(again.status == 410)
            #expect(again.json["error"]?["errors"]?.array?.first?["reason"]?.string == "deleted")
            let unknown = try await api.json(.get, eventsPath + "/nosuchevent", token: token)
            #expect(unknown.status == 404)
            #expect(unknown.json["error"]?["errors"]?.array?.first?["reason"]?.string == "notFound")
        }
    }

    @Test func pagingWithEmptyPagesAndSyncToken() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.google, email: "ann@example.com").access
            for day in 1...5 { _ = try await api.json(.post, eventsPath, token: token, googleEvent("E\(day)", day: day)) }
            #expect(try await api.json(.get, eventsPath + "?maxResults=2501", token: token).status == 400)
            _ = try await api.json(.post, "/_sandbox/quirks", ["emptyPages": true])

            var ids: [String] = []
            var pages = 0
            var emptyPages = 0
            var pageToken: String?
            var syncToken: String?
            repeat {
                let uri = eventsPath + "?maxResults=2" + (pageToken.map { "&pageToken=\($0)" } ?? "")
                let page = try await api.json(.get, uri, token: token)
                #expect(page.status == 200)
                let items = page.json["items"]?.array ?? []
                ids += items.compactMap { $0["id"]?.string }
                if items.isEmpty { emptyPages += 1 }
                pages += 1
                pageToken = page.json["nextPageToken"]?.string
                syncToken = page.json["nextSyncToken"]?.string
                #expect(pageToken == nil || syncToken == nil)
            } while pageToken != nil && pages < 20
            #expect(ids.count == 5)
            #expect(emptyPages >= 1)
            #expect(syncToken != nil)
        }
    }

    @Test func incrementalSyncWithTombstonesAndExpiry() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.google, email: "ann@example.com").access
            let control = "/_sandbox/google/users/ann@example.com/calendars/primary/events"
            _ = try await api.json(.post, control, googleEvent("Keep", day: 1, id: "keep00001"))
            _ = try await api.json(.post, control, googleEvent("Change", day: 2, id: "change0001"))
            _ = try await api.json(.post, control, googleEvent("Drop", day: 3, id: "drop000001"))
            let full = try await api.json(.get, eventsPath, token: token)
            #expect(full.json["items"]?.array?.count == 3)
            let syncToken = try #require(full.json["nextSyncToken"]?.string)

            _ = try await api.json(.patch, control + "/change0001", ["summary": "Changed"])
            _ = try await api.json(.delete, control + "/drop000001")
            _ = try await api.json(.post, control, googleEvent("New", day: 4, id: "fresh00001"))
            let delta = try await api.json(.get, eventsPath + "?syncToken=\(syncToken)", token: token)
            let items = delta.json["items"]?.array ?? []
            #expect(Set(items.compactMap { $0["id"]?.string }) == ["change0001", "drop000001", "fresh00001"])
            let tombstone = try #require(items.first { $0["id"]?.string == "drop000001" })
            #expect(tombstone["status"]?.string == "cancelled")
            let next = try #require(delta.json["nextSyncToken"]?.string)

            let quiet = try await api.json(.get, eventsPath + "?syncToken=\(next)", token: token)
            #expect(quiet.json["items"]?.array?.isEmpty == true)

            // Created and deleted after the token: the deletion is still returned (once).
            _ = try await api.json(.post, control, googleEvent("Brief", day: 5, id: "brief00001"))
            _ = try await api.json(.delete, control + "/brief00001")
            let brief = try await api.json(.get, eventsPath + "?syncToken=\(next)", token: token)
            let briefItems = brief.json["items"]?.array ?? []
            #expect(briefItems.compactMap { $0["id"]?.string } == ["brief00001"])
            #expect(briefItems.first?["status"]?.string == "cancelled")
            let afterBrief = try #require(brief.json["nextSyncToken"]?.string)
            let quietAgain = try await api.json(.get, eventsPath + "?syncToken=\(afterBrief)", token: token)
            #expect(quietAgain.json["items"]?.array?.isEmpty == true)

            let forbidden = try await api.json(.get, eventsPath + "?syncToken=\(next)&timeMin=2025-03-01T00:00:00Z", token: token)
            #expect(forbidden.status == 400)

            _ = try await api.json(.post, "/_sandbox/users/ann@example.com/expire-cursors")
            let gone = try await api.json(.get, eventsPath + "?syncToken=\(next)", token: token)
            #expect(gone.status == 410)
            #expect(gone.text == #"{"error":{"code":410,"errors":[{"domain":"calendar","location":"syncToken","locationType":"parameter","message":"Sync token is no longer valid, a full sync is required.","reason":"fullSyncRequired"}],"message":"Sync token is no longer valid, a full sync is required."}}"#)
        }
    }

    @Test func singleEventsExpandsSeries() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.google, email: "ann@example.com").access
            var series = googleEvent("Standup", day: 3, id: "series0001").object!
            series["recurrence"] = ["RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;TZID=Europe/Berlin:20250317T090000"]
            _ = try await api.json(.post, eventsPath, token: token, .object(series))
            _ = try await api.json(.post, eventsPath, token: token, googleEvent("Single", day: 5, id: "single0001"))

            let masters = try await api.json(.get, eventsPath, token: token)
            #expect(masters.json["items"]?.array?.count == 2)
            let expanded = try await api.json(.get, eventsPath + "?singleEvents=true&orderBy=startTime", token: token)
            let items = expanded.json["items"]?.array ?? []
            let ids = items.compactMap { $0["id"]?.string }
            #expect(ids == ["series0001_20250303T080000Z", "single0001", "series0001_20250310T080000Z", "series0001_20250324T080000Z"])
            let first = try #require(items.first)
            #expect(first["recurringEventId"]?.string == "series0001")
            #expect(first["originalStartTime"]?["dateTime"]?.string == "2025-03-03T09:00:00+01:00")
            #expect(first["recurrence"] == nil)
            let syncToken = try #require(expanded.json["nextSyncToken"]?.string)

            let windowed = try await api.json(.get, eventsPath + "?singleEvents=true&timeMin=2025-03-09T00:00:00Z&timeMax=2025-03-20T00:00:00Z", token: token)
            #expect(windowed.json["items"]?.array?.compactMap { $0["id"]?.string } == ["series0001_20250310T080000Z"])

            #expect(try await api.json(.delete, eventsPath + "/series0001_20250310T080000Z", token: token).status == 204)
            let delta = try await api.json(.get, eventsPath + "?singleEvents=true&syncToken=\(syncToken)", token: token)
            let tombstone = try #require(delta.json["items"]?.array?.first)
            #expect(tombstone["id"]?.string == "series0001_20250310T080000Z")
            #expect(tombstone["status"]?.string == "cancelled")
            #expect(tombstone["recurringEventId"]?.string == "series0001")
        }
    }
}
