import Foundation
import Testing
@testable import CRMSyncProviders

@Suite struct WebhookSandboxTests {
    @Test func graphSubscriptionHandshakeRenewAndDelete() async throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.graphClient(email: "fa@contoso.com")
            let expiration = Date().addingTimeInterval(3600)
            let subscription = try await client.subscribe(
                notificationURL: receiver.url, lifecycleNotificationURL: receiver.url, clientState: "s3cret", expiration: expiration
            )
            #expect(subscription.clientState == "s3cret" && subscription.resource == "/me/events")
            #expect(abs(subscription.expiration.timeIntervalSince(expiration)) < 1)
            let renewed = try await client.renewSubscription(id: subscription.id, expiration: expiration.addingTimeInterval(3600))
            #expect(renewed.expiration > subscription.expiration)
            _ = try await client.create(CalendarEvent(title: "Ping", timing: timed(soon(days: 1), minutes: 15), clientId: UUID()))
            try await client.deleteSubscription(id: subscription.id)
            await #expect(throws: ProviderError.gone) { try await client.deleteSubscription(id: subscription.id) }
        }
    }

    @Test func googleChannelDeliversSyncThenExists() async throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.googleClient(email: "ga@example.com")
            let channel = try await client.watch(channelId: "chan-9", address: receiver.url, token: "tok-9", expiration: Date().addingTimeInterval(3600))
            _ = try await client.create(CalendarEvent(title: "Ping", timing: timed(soon(days: 1), minutes: 15), clientId: UUID()))
            for _ in 0..<50 where receiver.requests.count < 2 { try await Task.sleep(for: .milliseconds(50)) }
            let states = receiver.requests.compactMap { $0["x-goog-resource-state"] }
            #expect(states.first == "sync")
            #expect(states.dropFirst().contains("exists"))
            #expect(receiver.requests.allSatisfy { $0["x-goog-channel-id"] == "chan-9" && $0["x-goog-channel-token"] == "tok-9" })
            #expect(receiver.requests.first?["x-goog-resource-id"] == channel.resourceId)
            try await client.stopChannel(id: channel.id, resourceId: channel.resourceId)
        }
    }
}
