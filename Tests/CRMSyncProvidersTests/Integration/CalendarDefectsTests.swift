import Foundation
import Testing
@testable import CRMSyncProviders

/// Against the sandbox behaving as the providers document: an update writes only
/// what the caller changed (attendees never cleared unless asked, HTML kept while its text is
/// unchanged), bodies are read as text, and a Google event read alone gets its calendar's zone.
@Suite struct CalendarDefectsTests {
    static var attendees: [[String: Any]] { [
        ["type": "required", "emailAddress": ["address": "ann@example.com", "name": "Ann"]],
        ["type": "optional", "emailAddress": ["address": "ben@example.com", "name": "Ben"]],
    ] }

    /// The stored Outlook event, as the control API shows it (body as stored).
    static func storedGraph(_ sandbox: LiveSandbox, _ email: String, _ id: String) async throws -> [String: Any] {
        let list = try #require(try await sandbox.control("GET", "/_sandbox/microsoft/users/\(email)/events") as? [String: Any])
        let items = try #require(list["value"] as? [[String: Any]])
        return try #require(items.first { $0["id"] as? String == id })
    }

    static func storedGoogle(_ sandbox: LiveSandbox, _ email: String, _ id: String) async throws -> [String: Any] {
        let list = try #require(try await sandbox.control("GET", "/_sandbox/google/users/\(email)/calendars/primary/events") as? [String: Any])
        let items = try #require(list["items"] as? [[String: Any]])
        return try #require(items.first { $0["id"] as? String == id })
    }

    /// The appointment as the CRM exports it: its own fields, no attendees.
    static func crmEdit(of event: CalendarEvent, title: String, description: String?) -> CalendarEvent {
        CalendarEvent(id: event.id, title: title, description: description, location: event.location, timing: event.timing, clientId: UUID())
    }

    @Test func graphUpdateKeepsTheAttendeesTheCRMDoesNotManage() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.graphClient(email: "al@contoso.com")
            let created = try #require(try await sandbox.control("POST", "/_sandbox/microsoft/users/al@contoso.com/events", [
                "subject": "Meeting", "attendees": Self.attendees,
                "start": ["dateTime": "2026-12-01T09:00:00", "timeZone": "UTC"], "end": ["dateTime": "2026-12-01T10:00:00", "timeZone": "UTC"],
            ]) as? [String: Any])
            let id = try #require(created["id"] as? String)
            let event = try await client.event(id: id)
            #expect(event.attendees.count == 2)
            let updated = try await client.update(Self.crmEdit(of: event, title: "Meeting (moved room)", description: nil), ifMatch: event.etag)
            #expect(updated.title == "Meeting (moved room)")
            let stored = try await Self.storedGraph(sandbox, "al@contoso.com", id)
            #expect((stored["attendees"] as? [Any])?.count == 2)

            // A caller that manages attendees may clear them deliberately.
            var clear = try await client.event(id: id)
            clear.attendees = []
            clear.writesAttendees = true
            _ = try await client.update(clear, ifMatch: clear.etag)
            #expect((try await Self.storedGraph(sandbox, "al@contoso.com", id)["attendees"] as? [Any])?.count == 0)
        }
    }

    @Test func googleUpdateKeepsTheAttendeesTheCRMDoesNotManage() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.googleClient(email: "al@example.com")
            let created = try #require(try await sandbox.control("POST", "/_sandbox/google/users/al@example.com/calendars/primary/events", [
                "summary": "Meeting", "attendees": [["email": "ann@example.com"], ["email": "ben@example.com", "optional": true]],
                "start": ["dateTime": "2026-12-01T09:00:00Z", "timeZone": "UTC"], "end": ["dateTime": "2026-12-01T10:00:00Z", "timeZone": "UTC"],
            ]) as? [String: Any])
            let id = try #require(created["id"] as? String)
            let event = try await client.event(id: id)
            _ = try await client.update(Self.crmEdit(of: event, title: "Meeting (new title)", description: nil), ifMatch: event.etag)
            let stored = try await Self.storedGoogle(sandbox, "al@example.com", id)
            #expect(stored["summary"] as? String == "Meeting (new title)")
            #expect((stored["attendees"] as? [Any])?.count == 2)
        }
    }

    @Test func graphBodiesAreReadAsTextAndHTMLSurvivesAnEditThatKeepsTheText() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.graphClient(email: "bo@contoso.com")
            let html = "<html><head><style>p{}</style></head><body><p>Agenda: <b>budget</b> &amp; staff</p></body></html>"
            let created = try #require(try await sandbox.control("POST", "/_sandbox/microsoft/users/bo@contoso.com/events", [
                "subject": "Review", "body": ["contentType": "html", "content": html],
                "start": ["dateTime": "2026-12-02T09:00:00", "timeZone": "UTC"], "end": ["dateTime": "2026-12-02T10:00:00", "timeZone": "UTC"],
            ]) as? [String: Any])
            let id = try #require(created["id"] as? String)

            // Read (listing and single GET) as text: what the CRM stores.
            let listed = try await listAll(.full) { position throws(ProviderError) in try await client.listPage(position) }
            let event = try #require(listed.events.first { $0.id == id })
            #expect(event.descriptionFormat == .text && event.description == "Agenda: budget & staff")
            #expect(try await client.event(id: id).description == "Agenda: budget & staff")

            // The CRM changes the title only: the HTML body stays as Outlook has it.
            let renamed = try await client.update(Self.crmEdit(of: event, title: "Review (final)", description: event.description), ifMatch: event.etag)
            var stored = try await Self.storedGraph(sandbox, "bo@contoso.com", id)
            #expect(stored["subject"] as? String == "Review (final)")
            #expect((stored["body"] as? [String: Any])?["contentType"] as? String == "html")
            #expect((stored["body"] as? [String: Any])?["content"] as? String == html)

            // The CRM changes the text: it goes out as text, with that content type.
            _ = try await client.update(Self.crmEdit(of: renamed, title: "Review (final)", description: "New agenda\nsecond line"), ifMatch: renamed.etag)
            stored = try await Self.storedGraph(sandbox, "bo@contoso.com", id)
            #expect((stored["body"] as? [String: Any])?["contentType"] as? String == "text")
            #expect((stored["body"] as? [String: Any])?["content"] as? String == "New agenda\nsecond line")
            #expect(try await client.event(id: id).description == "New agenda\nsecond line")
        }
    }

    @Test func googleHTMLDescriptionIsTextForTheCRMAndKeptWhileUnchanged() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.googleClient(email: "bo@example.com")
            let html = "<p>Notes:<br>bring <b>slides</b></p>"
            let created = try #require(try await sandbox.control("POST", "/_sandbox/google/users/bo@example.com/calendars/primary/events", [
                "summary": "Review", "description": html,
                "start": ["dateTime": "2026-12-02T09:00:00Z", "timeZone": "UTC"], "end": ["dateTime": "2026-12-02T10:00:00Z", "timeZone": "UTC"],
            ]) as? [String: Any])
            let id = try #require(created["id"] as? String)
            let event = try await client.event(id: id)
            #expect(event.descriptionFormat == .html)
            #expect(event.plainTextDescription == "Notes:\nbring slides")
            _ = try await client.update(Self.crmEdit(of: event, title: "Review (final)", description: event.plainTextDescription), ifMatch: event.etag)
            #expect(try await Self.storedGoogle(sandbox, "bo@example.com", id)["description"] as? String == html)
        }
    }

    @Test func googleEventReadAloneIsInItsCalendarsZone() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.googleClient(email: "cy@example.com")
            try await sandbox.control("POST", "/_sandbox/google/users/cy@example.com/calendars/primary", ["timeZone": "Europe/Berlin"])
            // An offset-only start (no timeZone), as other clients write them.
            let created = try #require(try await sandbox.control("POST", "/_sandbox/google/users/cy@example.com/calendars/primary/events", [
                "summary": "Offset only", "start": ["dateTime": "2026-12-03T10:00:00+01:00"], "end": ["dateTime": "2026-12-03T11:00:00+01:00"],
            ]) as? [String: Any])
            let id = try #require(created["id"] as? String)
            let listed = try await listAll(.full) { position throws(ProviderError) in try await client.listPage(position) }
            let expected = EventTiming.timed(
                start: Fixtures.date("2026-12-03T09:00:00Z"), end: Fixtures.date("2026-12-03T10:00:00Z"), timeZone: "Europe/Berlin")
            #expect(listed.events.first { $0.id == id }?.timing == expected)
            #expect(try await client.event(id: id).timing == expected)
        }
    }
}
