import Foundation
import Testing
@testable import CRMSyncProviders

@Suite struct GraphSandboxTests {
    @Test func deltaPagesRemovedItemsAndIdempotentCreate() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.graphClient(email: "ana@contoso.com", pageSize: 2)
            #expect(try await client.accountEmail() == "ana@contoso.com")
            var created: [CalendarEvent] = []
            for index in 0..<4 {
                let event = CalendarEvent(title: "Call \(index)", description: "<b>hi</b>", descriptionFormat: .html,
                                          timing: timed(soon(days: index + 1), minutes: 30, zone: "America/Los_Angeles"), clientId: UUID())
                created.append(try await client.create(event))
            }
            let again = try await client.create(CalendarEvent(title: "Call 0", timing: timed(soon(days: 1), minutes: 30), clientId: created[0].clientId))
            #expect(again.id == created[0].id)
            #expect(created[0].timing == timed(soon(days: 1), minutes: 30, zone: "America/Los_Angeles"))
            // Asked for as text (the CRM holds text): Graph converts the HTML body.
            #expect(created[0].descriptionFormat == .text && created[0].description == "hi")

            try await sandbox.control("POST", "/_sandbox/quirks", ["emptyPages": true])
            let full = try await listAll(.full) { position throws(ProviderError) in try await client.listPage(position) }
            #expect(Set(full.events.compactMap(\.id)) == Set(created.compactMap(\.id)))
            #expect(full.pages >= 2)

            try await sandbox.control("DELETE", "/_sandbox/microsoft/users/ana@contoso.com/events/\(created[3].id!)")
            try await sandbox.control("PATCH", "/_sandbox/microsoft/users/ana@contoso.com/events/\(created[1].id!)", ["subject": "Renamed in Outlook"])
            let changes = try await listAll(.changes(since: full.cursor)) { position throws(ProviderError) in try await client.listPage(position) }
            #expect(changes.events.first { $0.id == created[3].id }?.status == .removed)
            #expect(changes.events.first { $0.id == created[1].id }?.title == "Renamed in Outlook")
        }
    }

    @Test func expiredDeltaLinkIsTypedAndFullListingRecovers() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.graphClient(email: "bo@contoso.com")
            _ = try await client.create(CalendarEvent(title: "One", timing: timed(soon(days: 2), minutes: 60), clientId: UUID()))
            let first = try await listAll(.full) { position throws(ProviderError) in try await client.listPage(position) }
            try await sandbox.control("POST", "/_sandbox/users/bo@contoso.com/expire-cursors")
            await #expect(throws: ProviderError.cursorExpired) { _ = try await client.listPage(.changes(since: first.cursor)) }
            var events: [CalendarEvent] = []
            var cursor: SyncCursor?
            for try await page in client.pages(from: .start(from: nil)) {
                events += page.events
                if case .done(let next) = page.next { cursor = next }
            }
            #expect(events.count == 1)
            #expect(cursor != nil && cursor != first.cursor)
        }
    }

    @Test func staleEtagIsAConflictAndDeletedIsGone() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.graphClient(email: "cy@contoso.com")
            let created = try await client.create(CalendarEvent(title: "Draft", timing: .allDay(startDate: Fixtures.day("2026-12-01"), endDate: Fixtures.day("2026-12-03")), clientId: UUID()))
            #expect(created.timing == .allDay(startDate: Fixtures.day("2026-12-01"), endDate: Fixtures.day("2026-12-03")))
            var edit = created
            edit.title = "Final"
            let updated = try await client.update(edit, ifMatch: created.etag)
            #expect(updated.title == "Final" && updated.etag != created.etag)
            await #expect(throws: ProviderError.conflict) { _ = try await client.update(edit, ifMatch: created.etag) }
            try await client.delete(id: created.id!, ifMatch: updated.etag)
            await #expect(throws: ProviderError.gone) { _ = try await client.event(id: created.id!) }
        }
    }

    @Test func rotatingRefreshTokensAndDeadGrant() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, tokens) = try await sandbox.graphClient(email: "di@contoso.com")
            let before = await tokens.tokens
            try await sandbox.control("POST", "/_sandbox/users/di@contoso.com/expire-access-tokens")
            _ = try await client.listPage(.full)
            let after = await tokens.tokens
            #expect(after.refreshToken != nil && after.refreshToken != before.refreshToken)
            try await sandbox.control("POST", "/_sandbox/users/di@contoso.com/revoke")
            await #expect(throws: ProviderError.self) { _ = try await client.listPage(.full) }
            do {
                _ = try await tokens.refresh()
                Issue.record("refresh after revoke succeeded")
            } catch let error as ProviderError {
                guard case .reconnectRequired = error else { Issue.record("unexpected \(error)"); return }
            }
        }
    }

    @Test func subscriptionNeedsAReceiverThatAnswersValidation() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.graphClient(email: "ed@contoso.com")
            await #expect(throws: ProviderError.self) {
                _ = try await client.subscribe(notificationURL: URL(string: "http://127.0.0.1:9/notify")!, clientState: "s3cret", expiration: Date().addingTimeInterval(3600))
            }
        }
    }
}
