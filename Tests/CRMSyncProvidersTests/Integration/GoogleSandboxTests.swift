import Foundation
import Testing
@testable import CRMSyncProviders

@Suite struct GoogleSandboxTests {
    @Test func fullListingWithEmptyPagesThenIncrementalChanges() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.googleClient(email: "ana@example.com", pageSize: 2)
            #expect(try await client.accountEmail() == "ana@example.com")
            var created: [CalendarEvent] = []
            for index in 0..<5 {
                let event = CalendarEvent(title: "Meeting \(index)", description: "<p>Notes</p>", descriptionFormat: .html,
                                          timing: timed(soon(days: index + 1), minutes: 30), clientId: UUID())
                created.append(try await client.create(event))
            }
            #expect(created.allSatisfy { $0.id.map(GoogleEventID.isValid) == true && $0.etag != nil })
            try await sandbox.control("POST", "/_sandbox/quirks", ["emptyPages": true])
            let full = try await listAll(.full) { position throws(ProviderError) in try await client.listPage(position) }
            #expect(Set(full.events.compactMap(\.id)) == Set(created.compactMap(\.id)))
            #expect(full.emptyPages > 0)
            #expect(full.events.first?.description == "<p>Notes</p>")

            try await sandbox.control("PATCH", "/_sandbox/google/users/ana@example.com/calendars/primary/events/\(created[1].id!)", ["summary": "Moved by Ana"])
            try await client.delete(id: created[2].id!, ifMatch: created[2].etag)
            let changes = try await listAll(.changes(since: full.cursor)) { position throws(ProviderError) in try await client.listPage(position) }
            #expect(changes.events.first { $0.id == created[1].id }?.title == "Moved by Ana")
            #expect(changes.events.first { $0.id == created[2].id }?.status == .cancelled)
            #expect(!changes.events.contains { $0.id == created[0].id })
        }
    }

    @Test func expiredCursorIsTypedAndFullListingRecovers() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.googleClient(email: "bo@example.com")
            _ = try await client.create(CalendarEvent(title: "One", timing: timed(soon(days: 2), minutes: 60), clientId: UUID()))
            let first = try await listAll(.full) { position throws(ProviderError) in try await client.listPage(position) }
            try await sandbox.control("POST", "/_sandbox/users/bo@example.com/expire-cursors")
            await #expect(throws: ProviderError.cursorExpired) { _ = try await client.listPage(.changes(since: first.cursor)) }
            let again = try await listAll(.full) { position throws(ProviderError) in try await client.listPage(position) }
            #expect(again.events.count == 1)
            #expect(again.cursor != first.cursor)
        }
    }

    @Test func staleEtagIsAConflictAndDeletedIsGone() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.googleClient(email: "cy@example.com")
            let created = try await client.create(CalendarEvent(title: "Draft", location: "Room 1", timing: timed(soon(days: 3), minutes: 45), clientId: UUID()))
            var edit = created
            edit.title = "Final"
            edit.location = nil
            let updated = try await client.update(edit, ifMatch: created.etag)
            #expect(updated.title == "Final" && updated.location == nil)
            #expect(updated.etag != created.etag)
            await #expect(throws: ProviderError.conflict) { _ = try await client.update(edit, ifMatch: created.etag) }
            await #expect(throws: ProviderError.conflict) { try await client.delete(id: created.id!, ifMatch: created.etag) }
            try await client.delete(id: created.id!, ifMatch: updated.etag)
            await #expect(throws: ProviderError.gone) { try await client.delete(id: created.id!, ifMatch: nil) }
            await #expect(throws: ProviderError.gone) { _ = try await client.event(id: "unknown0000") }
        }
    }

    @Test func createIsIdempotentWhenTheResponseIsLostAfterTheWrite() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.googleClient(email: "di@example.com", transport: LosingTransport(losingFirst: "POST"))
            let appointment = UUID()
            let event = try await client.create(CalendarEvent(title: "Once", timing: timed(soon(days: 4), minutes: 30), clientId: appointment))
            #expect(event.id == GoogleEventID.derive(from: appointment))
            #expect(event.clientId == appointment)
            #expect(sandbox.sleeper.waits.count == 1)
            let stored = try await sandbox.control("GET", "/_sandbox/google/users/di@example.com/calendars/primary/events")
            #expect(String(describing: stored).components(separatedBy: "\"Once\"").count - 1 <= 1)
            let listed = try await listAll(.full) { position throws(ProviderError) in try await client.listPage(position) }
            #expect(listed.events.filter { $0.title == "Once" }.count == 1)
        }
    }

    @Test func retryAfterFromAnInjectedFaultIsHonoured() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.googleClient(email: "ed@example.com")
            try await sandbox.control("POST", "/_sandbox/faults", ["route": "GET /calendar/v3/calendars/*/events", "status": 429, "retryAfter": 7, "times": 2])
            _ = try await client.listPage(.full)
            #expect(sandbox.sleeper.waits == [.seconds(7), .seconds(7)])
            try await sandbox.control("POST", "/_sandbox/faults", ["route": "GET /calendar/v3/calendars/*/events", "status": 503])
            await #expect(throws: ProviderError.temporary(retryAfter: nil)) { _ = try await client.listPage(.full) }
        }
    }

    @Test func expiredAccessTokenIsRefreshedOnceAndDeadGrantAsksToReconnect() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, tokens) = try await sandbox.googleClient(email: "fa@example.com")
            let before = await tokens.tokens
            try await sandbox.control("POST", "/_sandbox/users/fa@example.com/expire-access-tokens")
            _ = try await client.listPage(.full)
            let after = await tokens.tokens
            #expect(after.accessToken != before.accessToken)
            #expect(after.refreshToken == before.refreshToken)
            try await sandbox.control("POST", "/_sandbox/users/fa@example.com/revoke")
            await #expect(throws: ProviderError.reconnectRequired(reason: "invalid_grant")) { _ = try await client.listPage(.full) }
        }
    }

    @Test func watchAndStopAChannel() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.googleClient(email: "gi@example.com")
            let expiration = Date().addingTimeInterval(86_400)
            let channel = try await client.watch(channelId: "chan-1", address: URL(string: "http://127.0.0.1:9/hook")!, token: "opaque", expiration: expiration)
            #expect(channel.id == "chan-1" && channel.token == "opaque" && !channel.resourceId.isEmpty)
            #expect(abs((channel.expiration ?? .distantPast).timeIntervalSince(expiration)) < 1)
            try await client.stopChannel(id: channel.id, resourceId: channel.resourceId)
            await #expect(throws: ProviderError.gone) { try await client.stopChannel(id: channel.id, resourceId: channel.resourceId) }
        }
    }

    @Test func revokeEndsTheGrant() async throws {
        try await LiveSandbox.run { sandbox in
            let oauth = sandbox.oauthClient(.google)
            let tokens = try await sandbox.connect(.google, email: "ha@example.com")
            #expect(tokens.refreshToken != nil)
            let refreshed = try await oauth.refresh(tokens)
            #expect(refreshed.refreshToken == tokens.refreshToken)
            #expect(try await oauth.revoke(token: refreshed.accessToken))
            await #expect(throws: ProviderError.reconnectRequired(reason: "invalid_grant")) { _ = try await oauth.refresh(tokens) }
            let wrongSecret = sandbox.oauthClient(.google, secret: "nope")
            await #expect(throws: ProviderError.clientRejected(reason: "invalid_client")) { _ = try await wrongSecret.refresh(tokens) }
        }
    }
}
