import CRMSyncSupport
import Foundation
import Testing

@testable import ProviderSandbox

@Suite struct WebhookTests {
    @Test func googleWatchSendsSyncThenExists() async throws {
        try await withReceiver { address, inbox in
            try await withSandbox { api in
                let token = try await api.connect(.google, email: "ann@example.com").access
                let watch = try await api.json(.post, eventsPath + "/watch", token: token,
                                               ["id": "chan-1", "type": "web_hook", "address": .string(address), "token": "secret-1"])
                #expect(watch.status == 200)
                #expect(watch.json["kind"]?.string == "api#channel")
                let resourceId = try #require(watch.json["resourceId"]?.string)
                _ = try await api.json(.post, eventsPath, token: token, googleEvent("One", day: 2))
                _ = try await api.json(.post, "/_sandbox/google/users/ann@example.com/calendars/primary/events", googleEvent("Two", day: 3))
                let received = await inbox.wait(for: 3)
                #expect(received.map { $0.headers["x-goog-resource-state"] } == ["sync", "exists", "exists"])
                let numbers = received.compactMap { $0.headers["x-goog-message-number"].flatMap { Int($0) } }
                #expect(numbers.first == 1)
                #expect(numbers == numbers.sorted() && Set(numbers).count == 3)
                #expect(received.allSatisfy { $0.headers["x-goog-channel-token"] == "secret-1" && $0.headers["x-goog-channel-id"] == "chan-1" })
                #expect(received.allSatisfy { $0.headers["x-goog-resource-id"] == resourceId && $0.body.isEmpty })

                let stop = try await api.json(.post, "/calendar/v3/channels/stop", token: token, ["id": "chan-1", "resourceId": .string(resourceId)])
                #expect(stop.status == 204)
                _ = try await api.json(.post, eventsPath, token: token, googleEvent("Three", day: 4))
                try await Task.sleep(for: .milliseconds(200))
                #expect(await inbox.requests.count == 3)
            }
        }
    }

    @Test func graphSubscriptionHandshakeAndNotifications() async throws {
        try await withReceiver { address, inbox in
            try await withSandbox { api in
                let token = try await api.connect(.microsoft, email: "bob@contoso.com").access
                let expiration = RFC3339.format(testEpoch.addingTimeInterval(3 * 86_400))
                let request: JSONValue = [
                    "changeType": "created,updated,deleted", "notificationUrl": .string(address),
                    "lifecycleNotificationUrl": .string(address), "resource": "/me/events",
                    "expirationDateTime": .string(expiration), "clientState": "state-42",
                ]
                let created = try await api.json(.post, "/v1.0/subscriptions", token: token, request)
                #expect(created.status == 201)
                let id = try #require(created.json["id"]?.string)
                let validations = await inbox.wait(for: 2)
                #expect(validations.count == 2)
                #expect(validations.allSatisfy { $0.query["validationToken"]?.hasPrefix("Validation: ") == true })

                let event = try await api.json(.post, "/_sandbox/microsoft/users/bob@contoso.com/events", graphEvent("Hi", day: 5))
                let notes = await inbox.wait(for: 3)
                let note = try #require(notes.last.flatMap { JSONValue.parseObject($0.body) })
                let item = try #require(note["value"]?.array?.first)
                #expect(item["subscriptionId"]?.string == id)
                #expect(item["clientState"]?.string == "state-42")
                #expect(item["changeType"]?.string == "created")
                #expect(item["resourceData"]?["id"] == event.json["id"])

                let tooFar = RFC3339.format(testEpoch.addingTimeInterval(8 * 86_400))
                #expect(try await api.json(.patch, "/v1.0/subscriptions/\(id)", token: token, ["expirationDateTime": .string(tooFar)]).status == 400)
                let renewed = try await api.json(.patch, "/v1.0/subscriptions/\(id)", token: token, ["expirationDateTime": .string(RFC3339.format(testEpoch.addingTimeInterval(6 * 86_400)))])
                #expect(renewed.status == 200)

                #expect(try await api.json(.post, "/_sandbox/microsoft/subscriptions/\(id)/lifecycle", ["lifecycleEvent": "missed"]).status == 202)
                let lifecycle = await inbox.wait(for: 4)
                #expect(lifecycle.last.flatMap { JSONValue.parseObject($0.body) }?["value"]?.array?.first?["lifecycleEvent"]?.string == "missed")

                #expect(try await api.json(.delete, "/v1.0/subscriptions/\(id)", token: token).status == 204)
                #expect(try await api.json(.get, "/v1.0/subscriptions/\(id)", token: token).status == 404)

                var long = request.object!
                long["clientState"] = .string(String(repeating: "x", count: 129))
                #expect(try await api.json(.post, "/v1.0/subscriptions", token: token, .object(long)).status == 400)
            }
        }
    }

    @Test func graphSubscriptionFailsWithoutEcho() async throws {
        try await withReceiver(.wrongBody) { address, inbox in
            try await withSandbox { api in
                let token = try await api.connect(.microsoft, email: "bob@contoso.com").access
                let result = try await api.json(.post, "/v1.0/subscriptions", token: token, [
                    "changeType": "created", "notificationUrl": .string(address), "resource": "/me/events",
                    "expirationDateTime": .string(RFC3339.format(testEpoch.addingTimeInterval(86_400))),
                ])
                #expect(result.status == 400)
                #expect(result.json["error"]?["code"]?.string == "ValidationError")
                #expect(await inbox.requests.count == 1)
                #expect(try await api.json(.get, "/_sandbox/microsoft/subscriptions").json["value"]?.array?.isEmpty == true)
            }
        }
    }
}
