import CRMSyncDatabase
import CRMSyncProviders
import CRMSyncServer
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// The providers' webhooks over real HTTP: forged deliveries are refused and change nothing,
/// Graph's handshake, and real sandbox notifications reaching the appointments table.
@Suite("Webhooks")
struct WebhookTests {
    @Test("forged Google notifications (unknown channel, wrong or no token, stopped channel) are refused; nothing changes")
    func forgedGoogle() async throws {
        try await ServerHarness.withPush("push_forged_google") { harness in
            let account = try await harness.connectPushAccount(.google)
            try await harness.push.start(account.target)
            let stoppedID = try await harness.push.start(account.target)
            let stopped = try #require(try await harness.channels(of: account).first { $0.id == stoppedID })
            await harness.push.stop(account.target, channel: stopped.id, externalID: stopped.external, resourceID: nil)
            let live = try #require(try await harness.channels(of: account).first { $0.status == "active" })
            // Let the sandbox's own `sync` messages land before taking the fingerprint.
            try await Task.sleep(for: .milliseconds(300))
            let before = try await harness.fingerprint()
            let channelsBefore = try await harness.channelFingerprint()

            func deliver(_ channel: String, token: String?, state: String = "exists") async throws -> Int {
                var headers = ["X-Goog-Channel-ID": channel, "X-Goog-Resource-State": state, "X-Goog-Message-Number": "7"]
                headers["X-Goog-Channel-Token"] = token
                return try await harness.send("POST", "/webhooks/google", headers: headers).status
            }
            #expect(try await deliver(UUID().uuidString.lowercased(), token: "anything") == 404, "unknown channel")
            #expect(try await deliver(live.external, token: "wrong-token") == 401, "wrong token")
            #expect(try await deliver(live.external, token: nil) == 401, "no token")
            #expect(try await deliver(live.external, token: "") == 401, "empty token")
            #expect(try await deliver(stopped.external, token: "wrong-token") == 404, "stopped channel")
            #expect(try await harness.send("POST", "/webhooks/google").status == 400, "no headers")
            #expect(try await harness.fingerprint() == before, "a refused webhook changed a tenant table")
            #expect(try await harness.channelFingerprint() == channelsBefore, "a refused webhook changed a channel")
            #expect(try await harness.scalar(
                "select sync_requested_at is null from public.calendar_accounts where id = \(account.id)") == "t")

            // The genuine article: a change in the sandbox makes Google (the sandbox) notify.
            try await harness.createSandboxEvent(account, title: "Genuine change")
            let due = try await harness.eventually {
                try await harness.scalar(
                    "select sync_requested_at is not null from public.calendar_accounts where id = \(account.id)") == "t"
            }
            #expect(due, "a genuine notification marks the account due")
            #expect(try await harness.scalar(
                "select notifications > 0 from public.calendar_push_channels where id = \(live.id)") == "t")
            let metrics = try await harness.send("GET", "/metrics")
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(text.contains("crmsync_webhook_deliveries_total"), "webhook deliveries are counted")
        }
    }

    @Test("Graph: the validation handshake, and forged notifications (wrong clientState, unknown subscription) refused")
    func forgedGraph() async throws {
        try await ServerHarness.withPush("push_forged_graph") { harness in
            // The handshake: 200, text/plain, the decoded token.
            let handshake = try await harness.send("POST", "/webhooks/microsoft?validationToken=Validation%3A%20Token%2B1%26x")
            #expect(handshake.status == 200)
            #expect(handshake.header("Content-Type")?.hasPrefix("text/plain") == true)
            #expect(String(decoding: handshake.body, as: UTF8.self) == "Validation: Token+1&x")
            // As Graph sends it (text/plain, no body), and with a JSON body: that must still be
            // a notification collection, as the document describes the route's one body.
            let plain = try await harness.send(
                "POST", "/webhooks/microsoft?validationToken=abc", headers: ["Content-Type": "text/plain; charset=utf-8"])
            #expect(plain.status == 200 && String(decoding: plain.body, as: UTF8.self) == "abc")
            let collection = try await harness.send(
                "POST", "/webhooks/microsoft?validationToken=abc", headers: ["Content-Type": "application/json"], body: Data(#"{"value":[]}"#.utf8))
            #expect(collection.status == 200 && String(decoding: collection.body, as: UTF8.self) == "abc")
            let junk = try await harness.send(
                "POST", "/webhooks/microsoft?validationToken=abc", headers: ["Content-Type": "application/json"], body: Data(#"{"value":[[null]]}"#.utf8))
            #expect(junk.status == 400 && AccountAPITests.errorCode(junk) == "invalid_notification")
            // No body carries no notification (and does no work); a body must be JSON.
            #expect(try await harness.send("POST", "/webhooks/microsoft").status == 202)
            let text = try await harness.send("POST", "/webhooks/microsoft", headers: ["Content-Type": "text/plain"], body: Data("x".utf8))
            #expect(text.status == 415)
            // A subscription id Postgres cannot hold (NUL) matches nothing: 401, not a database error.
            let nul = try await harness.send(
                "POST", "/webhooks/microsoft", headers: ["Content-Type": "application/json"],
                body: Data(#"{"value":[{"subscriptionId":"a\u0000b","clientState":"x"}]}"#.utf8))
            #expect(nul.status == 401 && AccountAPITests.errorCode(nul) == "invalid_client_state")

            // subscribe runs the sandbox's own handshake against our server: it must pass.
            let account = try await harness.connectPushAccount(.outlook)
            try await harness.push.start(account.target)
            let live = try #require(try await harness.channels(of: account).first)
            #expect(live.status == "active")
            let before = try await harness.fingerprint()
            let channelsBefore = try await harness.channelFingerprint()

            func notify(_ items: [[String: Any]], contentType: String = "application/json") async throws -> Int {
                let body = try JSONSerialization.data(withJSONObject: ["value": items])
                return try await harness.send(
                    "POST", "/webhooks/microsoft", headers: ["Content-Type": contentType], body: body
                ).status
            }
            let change: [String: Any] = ["subscriptionId": live.external, "changeType": "updated", "clientState": "forged",
                                         "resource": "Users/x/Events/y"]
            #expect(try await notify([change]) == 401, "wrong clientState")
            var noState = change
            noState["clientState"] = nil
            #expect(try await notify([noState]) == 401, "no clientState")
            var unknown = change
            unknown["subscriptionId"] = UUID().uuidString
            #expect(try await notify([unknown]) == 401, "unknown subscription")
            var lifecycle = change
            lifecycle["lifecycleEvent"] = "subscriptionRemoved"
            #expect(try await notify([lifecycle]) == 401, "forged lifecycle event")
            #expect(try await notify([change], contentType: "text/plain") == 415)
            #expect(try await harness.send(
                "POST", "/webhooks/microsoft", headers: ["Content-Type": "application/json"], body: Data("{".utf8)).status == 400)
            // Give any (wrongly) queued work time to run before comparing.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await harness.fingerprint() == before, "a refused notification changed a tenant table")
            #expect(try await harness.channelFingerprint() == channelsBefore, "a refused notification changed a channel")
            #expect((try await harness.sandboxControl("GET", "microsoft/subscriptions")["value"] as? [Any])?.count == 1,
                    "a forged subscriptionRemoved did not make us open another subscription")

            // A genuine change notification from the sandbox: 202 and the account becomes due.
            try await harness.createSandboxEvent(account, title: "Outlook change")
            let due = try await harness.eventually {
                try await harness.scalar(
                    "select sync_requested_at is not null from public.calendar_accounts where id = \(account.id)") == "t"
            }
            #expect(due, "a genuine Graph notification marks the account due")
        }
    }

    @Test("Graph: a forged body cannot buy unbounded work: item and size caps, one lookup, nothing for wrong secrets")
    func graphAmplification() async throws {
        try await ServerHarness.withPush("push_graph_amplification") { harness in
            let account = try await harness.connectPushAccount(.outlook)
            try await harness.push.start(account.target)
            let live = try #require(try await harness.channels(of: account).first)
            let before = try await harness.fingerprint()
            func post(_ body: Data) async throws -> (status: Int, code: String?, seconds: Double) {
                let start = Date()
                let response = try await harness.send(
                    "POST", "/webhooks/microsoft", headers: ["Content-Type": "application/json"], body: body)
                return (response.status, AccountAPITests.errorCode(response), Date().timeIntervalSince(start))
            }
            func body(_ items: [[String: String]]) throws -> Data { try JSONSerialization.data(withJSONObject: ["value": items]) }

            // The probe's body: 20,000 forged items in 0.95 MB (took 23 s of lookups before its 401).
            let forged = (0..<20_000).map { ["subscriptionId": "s\($0)", "clientState": "f\($0)"] }
            let huge = try body(forged)
            #expect(huge.count > 900_000 && huge.count < 1 << 20)
            let amplified = try await post(huge)
            #expect(amplified.status == 413, "\(amplified)")
            #expect(amplified.seconds < 2, "took \(amplified.seconds) s")

            // Small enough in bytes, but more items than a notification may carry.
            let many = try await post(try body(Array(forged.prefix(101))))
            #expect(many.status == 413 && many.code == "too_many_notifications", "\(many)")

            // At the cap: 100 forged items, one naming the live subscription with a wrong secret:
            // one lookup, a quick 401, and nothing changes.
            var hundred = Array(forged.prefix(99))
            hundred.append(["subscriptionId": live.external, "clientState": "forged", "changeType": "updated"])
            let refused = try await post(try body(hundred))
            #expect(refused.status == 401 && refused.code == "invalid_client_state", "\(refused)")
            #expect(refused.seconds < 1, "took \(refused.seconds) s")
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await harness.fingerprint() == before)

            // The genuine path still works: a sandbox change notifies and the account becomes due.
            try await harness.createSandboxEvent(account, title: "Outlook change after the probe")
            let due = try await harness.eventually {
                try await harness.scalar(
                    "select sync_requested_at is not null from public.calendar_accounts where id = \(account.id)") == "t"
            }
            #expect(due)
        }
    }

    @Test("a change made in the sandbox reaches the appointments table through the webhook path")
    func changeReachesCRM() async throws {
        // The worker polls only once a minute, and without the webhook the account is not due
        // again for minutes: only the webhook and the LISTEN/NOTIFY wake-up can be this fast.
        try await ServerHarness.withPush("push_e2e", worker: true, pollInterval: .seconds(60)) { harness in
            let account = try await harness.connectPushAccount(.google)
            // As the OAuth callback does: the first sync is requested (and the worker woken).
            try await harness.dependencies.database.withSession(account.target.owner) { connection in
                try await connection.query("select public.request_calendar_sync(\(account.id))")
            }
            // A new account is due at once, so under load the worker's first poll may claim it
            // before the request lands, which then asks for a second sync: wait until the
            // account is idle and not due for minutes, however many syncs that took.
            let settled = try await harness.eventually(.seconds(30)) {
                try await harness.scalar(
                    """
                    select a.lease_owner is null and a.sync_requested_at is null and a.next_sync_at > now() + interval '1 minute'
                           and exists (select 1 from public.calendar_sync_log l where l.calendar_account_id = a.id and l.status = 'success')
                      from public.calendar_accounts a where a.id = \(account.id)
                    """) == "t"
            }
            try #require(settled, "the first sync ran and the account is not due for minutes")
            let runsBefore = try #require(try await harness.scalar(
                "select count(*) from public.calendar_sync_log where calendar_account_id = \(account.id)").flatMap { Int($0) })
            try await harness.push.start(account.target)
            try await Task.sleep(for: .milliseconds(200))  // the channel's `sync` message

            let title = "Pushed \(UUID().uuidString.prefix(6))"
            let started = ContinuousClock.now
            try await harness.createSandboxEvent(account, title: title)
            let arrived = try await harness.eventually(.seconds(20)) {
                try await harness.scalar("select count(*) from public.appointments where title = \(title)") == "1"
            }
            let latency = ContinuousClock.now - started
            print("push latency (sandbox change -> webhook -> NOTIFY -> worker -> appointments row): \(latency)")
            #expect(arrived, "the change reached the appointments table")
            #expect(latency < .seconds(5), "woken by the notification, not by the 60 s poll")
            #expect(try await harness.scalar(
                "select count(*) from public.calendar_sync_log where calendar_account_id = \(account.id)") == "\(runsBefore + 1)",
                "one sync, the webhook's")
        }
    }

    @Test("a burst of notifications for one account coalesces into one sync")
    func burstCoalesces() async throws {
        try await ServerHarness.withPush("push_burst") { harness in
            let account = try await harness.connectPushAccount(.google)
            let worker = CRMSyncServer(dependencies: harness.dependencies).syncWorker(name: "burst")
            // First sync, so the account is not due on its own.
            let first = Task { try await worker.run() }
            let synced = try await harness.eventually(.seconds(30)) {
                try await harness.scalar(
                    "select count(*) from public.calendar_sync_log where calendar_account_id = \(account.id) and completed_at is not null") == "1"
            }
            first.cancel()
            _ = try? await first.value
            try #require(synced)
            try await harness.push.start(account.target)
            let channel = try #require(try await harness.channels(of: account).first)
            let count: @Sendable () async throws -> Int = {
                Int(try await harness.scalar("select notifications from public.calendar_push_channels where id = \(channel.id)") ?? "") ?? -1
            }
            // Google's `sync` message, sent as the channel opens, finds the channel already recorded.
            #expect(try await harness.eventually { try await count() == 1 }, "the sync message was accepted")
            #expect(!harness.dependencies.metrics.render().contains(#"provider="google",outcome="rejected""#))

            for index in 0..<8 { try await harness.createSandboxEvent(account, title: "Burst \(index)") }
            // Every delivery lands before the worker starts (a late one arriving during the run
            // would rightly ask for another run); then the count must settle.
            let delivered = try await harness.eventually { try await count() >= 9 }
            #expect(delivered, "eight change notifications were accepted, after the sync message")
            var settled = try await count()
            while true {
                try await Task.sleep(for: .milliseconds(500))
                let now = try await count()
                if now == settled { break }
                settled = now
            }

            let second = Task { try await worker.run() }
            let ran = try await harness.eventually(.seconds(30)) {
                try await harness.scalar(
                    "select count(*) from public.calendar_sync_log where calendar_account_id = \(account.id) and completed_at is not null") == "2"
            }
            try await Task.sleep(for: .seconds(2))  // a second (uncoalesced) run would start now
            second.cancel()
            _ = try? await second.value
            #expect(ran)
            #expect(try await harness.scalar(
                "select count(*) from public.calendar_sync_log where calendar_account_id = \(account.id)") == "2",
                "eight notifications, one sync")
            #expect(try await harness.scalar("select count(*) from public.appointments where title like 'Burst %'") == "8")
        }
    }
}
