import CRMSyncSupport
import Foundation
import Testing

@testable import ProviderSandbox

/// Behaviour the providers document that the sandbox did not emulate: Graph bodies
/// as HTML unless text is preferred, attendees kept by a PATCH that omits them, out-of-window
/// writes reported as `@removed` by delta, and a Google calendar's own time zone.
@Suite struct DocumentedBehaviourTests {
    @Test func graphBodiesAreHTMLUnlessTextIsPreferred() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.microsoft, email: "bob@contoso.com").access
            var text = graphEvent("Text body", day: 3).object!
            text["body"] = ["contentType": "text", "content": "Line 1\nA < B"]
            let created = try await api.json(.post, "/v1.0/me/events", token: token, .object(text))
            #expect(created.json["body"]?["contentType"]?.string == "html")
            #expect(created.json["body"]?["content"]?.string?.contains("Line 1<br>") == true)
            #expect(created.json["body"]?["content"]?.string?.contains("A &lt; B") == true)
            let id = try #require(created.json["id"]?.string)

            let preferText = ["Prefer": "outlook.body-content-type=\"text\""]
            let asText = try await api.json(.get, "/v1.0/me/events/\(id)", token: token, headers: preferText)
            #expect(asText.json["body"] == ["contentType": "text", "content": "Line 1\nA < B"])

            let html = try await api.json(.post, "/v1.0/me/events", token: token, graphEvent("HTML body", day: 4))
            let htmlId = try #require(html.json["id"]?.string)
            let htmlAsText = try await api.json(.get, "/v1.0/me/events/\(htmlId)", token: token, headers: preferText)
            #expect(htmlAsText.json["body"] == ["contentType": "text", "content": "Agenda"])
            let htmlAsHTML = try await api.json(.get, "/v1.0/me/events/\(htmlId)", token: token)
            #expect(htmlAsHTML.json["body"] == ["contentType": "html", "content": "<p>Agenda</p>"])

            let delta = try await api.json(.get, deltaStart, token: token, headers: ["Prefer": "outlook.body-content-type=\"text\""])
            let bodies = (delta.json["value"]?.array ?? []).compactMap { $0["body"]?["contentType"]?.string }
            #expect(bodies == ["text", "text"])
        }
    }

    @Test func graphPatchKeepsOmittedAttendeesAndClearsOnlyOnAnEmptyList() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.microsoft, email: "bob@contoso.com").access
            var meeting = graphEvent("Meeting", day: 5).object!
            meeting["attendees"] = [
                ["type": "required", "emailAddress": ["address": "ann@example.com", "name": "Ann"]],
                ["type": "optional", "emailAddress": ["address": "ben@example.com", "name": "Ben"]],
            ]
            let id = try #require(try await api.json(.post, "/v1.0/me/events", token: token, .object(meeting)).json["id"]?.string)
            let renamed = try await api.json(.patch, "/v1.0/me/events/\(id)", token: token, ["subject": "Renamed"])
            #expect(renamed.status == 200)
            #expect(renamed.json["attendees"]?.array?.count == 2)
            let cleared = try await api.json(.patch, "/v1.0/me/events/\(id)", token: token, ["attendees": []])
            #expect(cleared.json["attendees"]?.array?.count == 0)
        }
    }

    @Test func graphDeltaReportsOutOfWindowWritesAsRemoved() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.microsoft, email: "bob@contoso.com").access
            _ = try await api.json(.post, "/v1.0/me/events", token: token, graphEvent("Inside", day: 3))
            var link = ""
            var uri = deltaStart
            for _ in 0..<10 {
                let page = try await api.json(.get, uri, token: token)
                if let next = page.json["@odata.nextLink"]?.string { uri = pathOf(next) } else {
                    link = try #require(page.json["@odata.deltaLink"]?.string)
                    break
                }
            }
            // Created after the round, outside its March 2025 window.
            var outside = graphEvent("Next year", day: 3).object!
            outside["start"] = ["dateTime": "2026-03-03T09:00:00", "timeZone": "UTC"]
            outside["end"] = ["dateTime": "2026-03-03T10:00:00", "timeZone": "UTC"]
            let created = try await api.json(.post, "/v1.0/me/events", token: token, .object(outside))
            let id = try #require(created.json["id"]?.string)
            let delta = try await api.json(.get, pathOf(link), token: token)
            #expect(delta.json["value"] == [["@odata.type": "#microsoft.graph.event", "id": .string(id), "@removed": ["reason": "deleted"]]])
            // It exists all the same.
            #expect(try await api.json(.get, "/v1.0/me/events/\(id)", token: token).status == 200)
        }
    }

    @Test func googleCalendarHasItsOwnTimeZone() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.google, email: "ann@example.com").access
            #expect(try await api.json(.get, "/calendar/v3/calendars/primary", token: token).json["timeZone"]?.string == "UTC")
            let set = try await api.json(.post, "/_sandbox/google/users/ann@example.com/calendars/primary", ["timeZone": "Europe/Berlin"])
            #expect(set.status == 204)
            let calendar = try await api.json(.get, "/calendar/v3/calendars/primary", token: token)
            #expect(calendar.status == 200)
            #expect(calendar.json["timeZone"]?.string == "Europe/Berlin")
            let list = try await api.json(.get, "/calendar/v3/calendars/primary/events?singleEvents=true", token: token)
            #expect(list.json["timeZone"]?.string == "Europe/Berlin")
        }
    }
}
