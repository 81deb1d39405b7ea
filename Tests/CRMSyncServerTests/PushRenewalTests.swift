import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import CRMSyncServer
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// Channel renewal driven by the test clock, and disconnect, over real HTTP with the sandbox.
@Suite("Push renewal and disconnect")
struct PushRenewalTests {
    @Test("with the clock moved on, a Graph subscription is renewed, a Google channel replaced, a failed one replaced")
    func renewal() async throws {
        try await ServerHarness.withPush("push_renewal") { harness in
            let google = try await harness.connectPushAccount(.google)
            let outlook = try await harness.connectPushAccount(.outlook)
            let service = PushRenewalService(dependencies: harness.dependencies)
            // Accounts without a channel get one (the seed's accounts have no real grant and fail).
            let started = await service.runOnce()
            #expect((started["missing:started"] ?? 0) >= 2, "\(started)")
            let firstGoogle = try #require(try await harness.channels(of: google).first)
            let firstGraph = try #require(try await harness.channels(of: outlook).first)
            func expiry(_ id: UUID) async throws -> String? {
                try await harness.scalar("select expires_at::text from public.calendar_push_channels where id = \(id)")
            }
            let graphExpiry = try await expiry(firstGraph.id)

            // Nothing is due yet.
            let quiet = await service.runOnce()
            #expect(quiet.keys.filter { !$0.hasPrefix("missing:") }.isEmpty, "\(quiet)")

            // 2.5 days on: the 3-day subscription has half a day left (margin 1 day): PATCHed.
            try await harness.advanceClocks(days: 2.5)
            let first = await service.runOnce()
            #expect(first["expiring:renewed"] == 1, "\(first)")
            let renewed = try await harness.channels(of: outlook)
            #expect(renewed.count == 1 && renewed[0].external == firstGraph.external && renewed[0].status == "active")
            #expect(try await expiry(firstGraph.id) != graphExpiry, "the subscription's expiry moved")
            let subscriptions = try await harness.sandboxControl("GET", "microsoft/subscriptions")["value"] as? [[String: Any]]
            #expect(subscriptions?.count == 1)
            #expect(try await harness.channels(of: google).map(\.status) == ["active"], "the 7-day channel is left alone")

            // 5 days: the subscription again (renewed to 5.5), the channel still has 2 days.
            try await harness.advanceClocks(days: 2.5)
            let second = await service.runOnce()
            #expect(second["expiring:renewed"] == 1 && second["expiring:replaced"] == nil, "\(second)")

            // 6.5 days after opening: the Google channel is replaced (new channel, old stopped at the sandbox).
            try await harness.advanceClocks(days: 1.5)
            let third = await service.runOnce()
            #expect(third["expiring:replaced"] == 1 && third["expiring:renewed"] == nil, "\(third)")
            let googleChannels = try await harness.channels(of: google)
            #expect(googleChannels.map(\.status) == ["stopped", "active"])
            #expect(googleChannels.last?.external != firstGoogle.external)
            let watched = try await harness.sandboxControl("GET", "google/channels")["channels"] as? [[String: Any]] ?? []
            #expect(watched.compactMap { $0["id"] as? String } == [googleChannels.last?.external].compactMap { $0 },
                    "only the new channel is open at the sandbox")

            // The replacement fails once (the sandbox refuses watch): recorded failed, replaced next round.
            let current = try #require(googleChannels.last)
            try await PushChannelStore(database: harness.dependencies.database).record(
                channel: current.id, .failed, error: "test: delivery failures", as: google.owner)
            try await harness.sandboxControl(
                "POST", "faults", ["route": "POST /calendar/v3/calendars/*/events/watch", "status": 400])
            let failing = await service.runOnce()
            try await harness.sandboxControl("DELETE", "faults")
            #expect(failing["failed:failed"] == 1, "\(failing)")
            #expect(try await harness.scalar(
                "select failure_count::text || ' ' || status from public.calendar_push_channels where id = \(current.id)") == "2 failed",
                "recorded failed once by the test, once by the failed replacement")
            let recovering = await service.runOnce()
            #expect(recovering["failed:replaced"] == 1, "\(recovering)")
            // The refused attempt is on record (stopped, with why); it never delivered anything.
            #expect(try await harness.channels(of: google).map(\.status) == ["stopped", "stopped", "stopped", "active"])
            #expect(try await harness.scalar(
                "select count(*) from public.calendar_push_channels where calendar_account_id = \(google.id) and last_error like 'watch failed:%'")
                == "1")
            let health = try await harness.scalar(
                """
                select count(*) from public.calendar_push_channel_health
                 where calendar_account_id = \(google.id) and status = 'active' and not expired
                """)
            #expect(health == "1", "the monitoring view shows one live channel")
        }
    }

    @Test("a round runs in one process at a time: while another holds the renewal lock, nothing is touched")
    func oneRoundAtATime() async throws {
        try await ServerHarness.withPush("push_lock") { harness in
            let account = try await harness.connectPushAccount(.google)
            let service = PushRenewalService(dependencies: harness.dependencies)
            // Another process's round, as far as Postgres can tell: a session holding the lock.
            let other = try await harness.database.adminConnection()
            try await other.query("select pg_advisory_lock(hashtext('crmsync.push_renewal'))")
            #expect(await service.runOnce().isEmpty)
            #expect(try await harness.channels(of: account).isEmpty, "no channel was opened while the lock was held")
            try await other.query("select pg_advisory_unlock(hashtext('crmsync.push_renewal'))")
            let started = await service.runOnce()
            #expect((started["missing:started"] ?? 0) >= 1, "\(started)")
            #expect(try await harness.channels(of: account).count == 1)
            // The lock was given back: the next round runs (and finds nothing new to do for it).
            let again = await service.runOnce()
            #expect(again["missing:started"] == nil, "\(again)")
        }
    }

    @Test("a dead grant marks the account as needing reconnection instead of failing every round")
    func deadGrantLeavesTheRenewalList() async throws {
        try await ServerHarness.withPush("push_dead_grant") { harness in
            // The seed's accounts hold tokens no provider issued: refreshing them is invalid_grant.
            #expect(try await harness.scalar(
                "select connection_status from public.calendar_accounts where id = \(Demo.aliceCalendar)") == "connected")
            let service = PushRenewalService(dependencies: harness.dependencies)
            let first = await service.runOnce()
            #expect((first["missing:failed"] ?? 0) >= 1, "\(first)")
            #expect(try await harness.scalar(
                "select connection_status from public.calendar_accounts where id = \(Demo.aliceCalendar)") == "needs_reauth")
            let alice = try await harness.api("GET", "/v1/calendar/accounts/\(Demo.aliceCalendar.uuidString)", as: Demo.alice, in: Demo.acme)
            #expect(try AccountAPITests.json(alice)["status"] as? String == "needs_reconnection")
            let second = await service.runOnce()
            #expect(second["missing:failed"] == nil, "a dead grant is not retried every round: \(second)")
        }
    }

    @Test("disconnect stops channels and subscriptions at the sandbox, revokes the grant and keeps appointments")
    func disconnect() async throws {
        try await ServerHarness.withPush("push_disconnect") { harness in
            let google = try await harness.connectPushAccount(.google)
            let outlook = try await harness.connectPushAccount(.outlook)
            try await harness.push.start(google.target)
            try await harness.push.start(outlook.target)
            #expect((try await harness.sandboxControl("GET", "google/channels")["channels"] as? [Any])?.count == 1)
            #expect((try await harness.sandboxControl("GET", "microsoft/subscriptions")["value"] as? [Any])?.count == 1)

            // Another user (Acme's owner) cannot disconnect it: 404, nothing changes.
            let before = try await harness.fingerprint()
            let foreign = try await harness.api(
                "DELETE", "/v1/calendar/accounts/\(google.id.uuidString.lowercased())", as: Demo.alice, in: Demo.acme)
            #expect(foreign.status == 404)
            #expect(try await harness.fingerprint() == before)
            #expect(try await harness.api(
                "DELETE", "/v1/calendar/accounts/\(google.id.uuidString.lowercased())?remove_mappings=maybe",
                as: google.owner.userID, in: Demo.acme).status == 400)

            let response = try await harness.api(
                "DELETE", "/v1/calendar/accounts/\(google.id.uuidString.lowercased())?remove_mappings=true",
                as: google.owner.userID, in: Demo.acme)
            #expect(response.status == 200)
            let view = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            #expect(view?["status"] as? String == "disconnected")
            #expect(view?["sync_enabled"] as? Bool == false)
            #expect((try await harness.sandboxControl("GET", "google/channels")["channels"] as? [Any])?.count == 0,
                    "the channel was stopped at the sandbox")
            #expect(try await harness.channels(of: google).map(\.status) == ["stopped"])
            #expect(try await harness.scalar(
                """
                select (access_token_encrypted is null and refresh_token_encrypted is null)::text
                  from public.calendar_accounts where id = \(google.id)
                """) == "true")
            // The grant is revoked: the refresh token no longer works at the sandbox.
            let oauth = OAuthClient(
                provider: .google, credentials: OAuthCredentials(clientId: "sandbox-client", clientSecret: "sandbox-secret"),
                endpoints: .sandbox(harness.sandbox))
            await #expect(throws: ProviderError.self) {
                _ = try await oauth.refresh(TokenSet(
                    accessToken: "x", refreshToken: google.refreshToken, expiresAt: .distantPast, scope: nil))
            }

            // Outlook: the subscription is deleted at the sandbox, even when mappings are kept.
            let kept = try await harness.api(
                "DELETE", "/v1/calendar/accounts/\(outlook.id.uuidString.lowercased())", as: outlook.owner.userID, in: Demo.acme)
            #expect(kept.status == 200)
            #expect((try await harness.sandboxControl("GET", "microsoft/subscriptions")["value"] as? [Any])?.count == 0)
            #expect(try await harness.channels(of: outlook).map(\.status) == ["stopped"])

            // A disconnected account is gone from the API: disconnecting it again is a 404, and a
            // stopped channel's webhook is refused.
            let again = try await harness.api(
                "DELETE", "/v1/calendar/accounts/\(google.id.uuidString.lowercased())", as: google.owner.userID, in: Demo.acme)
            #expect(again.status == 404)
            let stopped = try #require(try await harness.channels(of: google).first)
            let late = try await harness.send(
                "POST", "/webhooks/google",
                headers: ["X-Goog-Channel-ID": stopped.external, "X-Goog-Resource-State": "exists", "X-Goog-Channel-Token": "x"])
            #expect(late.status == 404)
        }
    }

    @Test("a provider failure does not stop the local disconnect")
    func disconnectDespiteProviderFailure() async throws {
        try await ServerHarness.withPush("push_disconnect_fail") { harness in
            let google = try await harness.connectPushAccount(.google)
            try await harness.push.start(google.target)
            try await harness.sandboxControl("POST", "faults", ["route": "POST /calendar/v3/channels/stop", "status": 400])
            try await harness.sandboxControl("POST", "faults", ["route": "POST /revoke", "status": 400])
            let response = try await harness.api(
                "DELETE", "/v1/calendar/accounts/\(google.id.uuidString.lowercased())", as: google.owner.userID, in: Demo.acme)
            #expect(response.status == 200)
            #expect(try await harness.scalar(
                "select connection_status from public.calendar_accounts where id = \(google.id)") == "disconnected")
            #expect(try await harness.scalar(
                "select status || ': ' || coalesce(last_error, '') from public.calendar_push_channels where calendar_account_id = \(google.id)"
            )?.hasPrefix("stopped: stopping at the provider failed") == true)
        }
    }
}
