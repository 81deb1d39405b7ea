import CRMSyncSupport
import Foundation
import Testing

@testable import ProviderSandbox

/// A Graph event body on 2025-03-`day`, 09:00–10:00 Pacific time.
func graphEvent(_ subject: String, day: Int, transactionId: String? = nil) -> JSONValue {
    var body: [String: JSONValue] = [
        "subject": .string(subject),
        "body": ["contentType": "html", "content": "<p>Agenda</p>"],
        "start": ["dateTime": .string("2025-03-\(RFC3339.pad(day, 2))T09:00:00"), "timeZone": "Pacific Standard Time"],
        "end": ["dateTime": .string("2025-03-\(RFC3339.pad(day, 2))T10:00:00"), "timeZone": "Pacific Standard Time"],
    ]
    if let transactionId { body["transactionId"] = .string(transactionId) }
    return .object(body)
}

/// Path and query of an absolute link.
func pathOf(_ link: String) -> String {
    guard let url = URL(string: link) else { return link }
    return url.path + (url.query.map { "?" + $0 } ?? "")
}

let deltaStart = "/v1.0/me/calendarView/delta?startDateTime=2025-03-01T00:00:00Z&endDateTime=2025-04-01T00:00:00Z"

@Suite struct GraphCalendarTests {
    @Test func eventsCreateIdempotentlyAndCheckChangeKeys() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.microsoft, email: "bob@contoso.com").access
            let created = try await api.json(.post, "/v1.0/me/events", token: token, graphEvent("Demo", day: 3, transactionId: "tx-1"))
            #expect(created.status == 201)
            let id = try #require(created.json["id"]?.string)
            #expect(created.json["start"]?["dateTime"]?.string == "2025-03-03T17:00:00.0000000")
            #expect(created.json["start"]?["timeZone"]?.string == "UTC")
            #expect(created.json["originalStartTimeZone"]?.string == "Pacific Standard Time")
            #expect(created.json["bodyPreview"]?.string == "Agenda")
            let etag = try #require(created.json["@odata.etag"]?.string)
            #expect(etag.hasPrefix("W/\""))

            let retried = try await api.json(.post, "/v1.0/me/events", token: token, graphEvent("Demo", day: 3, transactionId: "tx-1"))
            #expect(retried.json["id"]?.string == id)
            #expect(try await api.json(.get, "/_sandbox/microsoft/users/bob@contoso.com/events").json["value"]?.array?.count == 1)

            let patched = try await api.json(.patch, "/v1.0/me/events/\(id)", token: token, headers: ["If-Match": etag], ["subject": "Demo 2"])
            #expect(patched.status == 200)
            #expect(patched.json["changeKey"] != created.json["changeKey"])
            let stale = try await api.json(.patch, "/v1.0/me/events/\(id)", token: token, headers: ["If-Match": etag], ["subject": "x"])
            #expect(stale.status == 412)
            #expect(stale.json["error"]?["code"]?.string != nil)

            let local = try await api.json(.get, "/v1.0/me/events/\(id)", token: token, headers: ["Prefer": "outlook.timezone=\"Pacific Standard Time\""])
            #expect(local.json["start"]?["dateTime"]?.string == "2025-03-03T09:00:00.0000000")

            #expect(try await api.json(.delete, "/v1.0/me/events/\(id)", token: token).status == 204)
            let gone = try await api.json(.get, "/v1.0/me/events/\(id)", token: token)
            #expect(gone.status == 404)
            #expect(gone.json["error"]?["code"]?.string == "ErrorItemNotFound")
        }
    }

    @Test func deltaPagesRemovalsAndExpiry() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.microsoft, email: "bob@contoso.com").access
            var ids: [String] = []
            for day in 1...5 {
                ids.append(try await api.json(.post, "/v1.0/me/events", token: token, graphEvent("E\(day)", day: day)).json["id"]?.string ?? "")
            }
            var series = graphEvent("Weekly", day: 4).object!
            series["recurrence"] = [
                "pattern": ["type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]],
                "range": ["type": "numbered", "startDate": "2025-03-04", "numberOfOccurrences": 3],
            ]
            let master = try await api.json(.post, "/v1.0/me/events", token: token, .object(series))
            #expect(master.json["type"]?.string == "seriesMaster")

            var uri = deltaStart
            var seen: [JSONValue] = []
            var deltaLink: String?
            for _ in 0..<20 {
                let page = try await api.json(.get, uri, token: token, headers: ["Prefer": "odata.maxpagesize=2"])
                #expect(page.status == 200)
                #expect(page.header("Preference-Applied") == "odata.maxpagesize=2")
                seen += page.json["value"]?.array ?? []
                if let next = page.json["@odata.nextLink"]?.string {
                    uri = pathOf(next)
                } else {
                    deltaLink = page.json["@odata.deltaLink"]?.string
                    break
                }
            }
            #expect(seen.count == 8)
            #expect(seen.filter { $0["type"]?.string == "occurrence" }.count == 3)
            #expect(!seen.contains { $0["type"]?.string == "seriesMaster" })
            let link = try #require(deltaLink)

            _ = try await api.json(.delete, "/v1.0/me/events/\(ids[0])", token: token)
            _ = try await api.json(.patch, "/_sandbox/microsoft/users/bob@contoso.com/events/\(ids[1])", ["subject": "Moved"])
            let delta = try await api.json(.get, pathOf(link), token: token)
            let items = delta.json["value"]?.array ?? []
            #expect(items.count == 2)
            #expect(items.contains { $0 == ["@odata.type": "#microsoft.graph.event", "id": .string(ids[0]), "@removed": ["reason": "deleted"]] })
            #expect(items.contains { $0["subject"]?.string == "Moved" })
            let next = try #require(delta.json["@odata.deltaLink"]?.string)

            _ = try await api.json(.post, "/_sandbox/users/bob@contoso.com/expire-cursors")
            let expired = try await api.json(.get, pathOf(next), token: token)
            #expect(expired.status == 410)
            #expect(expired.json["error"]?["code"]?.string == "syncStateNotFound")
        }
    }
}
