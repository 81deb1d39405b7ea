import CRMSyncSupport
import Foundation

/// A subscription request that passed the checks and awaits the validation handshake.
struct SubscriptionDraft: Sendable {
    var email: String
    var body: [String: JSONValue]
    var notificationURL: String
    var lifecycleURL: String?
    var expiration: Date
    var immutableIds = false
}

extension SandboxState {
    static let maxSubscriptionMinutes: Double = 10_080

    /// Checks a `POST /subscriptions` body; the caller then runs the validation handshake.
    func graphSubscriptionDraft(_ email: String, body: [String: JSONValue]) -> Result<SubscriptionDraft, SandboxFailure> {
        guard let url = body["notificationUrl"]?.string, URL(string: url)?.scheme?.hasPrefix("http") == true else {
            return .failure(SandboxFailure(self.graphError(400, "InvalidRequest", "The notificationUrl is missing or invalid.")))
        }
        guard let resource = body["resource"]?.string, resource.lowercased().contains("events") || Self.watchedFolder(resource) != nil else {
            return .failure(SandboxFailure(self.graphError(400, "InvalidRequest", "Resource is missing or not supported.")))
        }
        let types = (body["changeType"]?.string ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !types.isEmpty, types.allSatisfy({ ["created", "updated", "deleted"].contains($0) }) else {
            return .failure(SandboxFailure(self.graphError(400, "InvalidRequest", "Invalid changeType.")))
        }
        if let state = body["clientState"]?.string, state.count > 128 {
            return .failure(SandboxFailure(self.graphError(400, "InvalidRequest", "clientState must be at most 128 characters.")))
        }
        switch self.graphExpiration(body) {
        case .failure(let error): return .failure(error)
        case .success(let expiration):
            return .success(SubscriptionDraft(email: email, body: body, notificationURL: url,
                                              lifecycleURL: body["lifecycleNotificationUrl"]?.string, expiration: expiration))
        }
    }

    private func graphExpiration(_ body: [String: JSONValue]) -> Result<Date, SandboxFailure> {
        guard let text = body["expirationDateTime"]?.string, let date = RFC3339.parse(text) else {
            return .failure(SandboxFailure(self.graphError(400, "InvalidRequest", "expirationDateTime is missing or invalid.")))
        }
        guard date > self.now else {
            return .failure(SandboxFailure(self.graphError(400, "ExtensionError", "Subscription expiration must be in the future.")))
        }
        guard date <= self.now.addingTimeInterval(Self.maxSubscriptionMinutes * 60) else {
            return .failure(SandboxFailure(self.graphError(400, "ExtensionError", "Subscription expiration can only be 10080 minutes in the future.")))
        }
        return .success(date)
    }

    /// Stores a validated subscription: 201.
    func graphCreateSubscription(_ draft: SubscriptionDraft) -> Reply {
        let id = self.guid()
        let body = draft.body
        var json: [String: JSONValue] = [
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
            "id": .string(id), "resource": body["resource"] ?? .null, "applicationId": "sandbox-client",
            "changeType": body["changeType"] ?? .null, "clientState": body["clientState"] ?? .null,
            "notificationUrl": .string(draft.notificationURL), "lifecycleNotificationUrl": body["lifecycleNotificationUrl"] ?? .null,
            "expirationDateTime": .string(RFC3339.format(draft.expiration, fractionalDigits: 7)),
            "creatorId": .string(self.userId(draft.email)), "includeResourceData": false, "latestSupportedTlsVersion": "v1_2",
        ]
        json["notificationQueryOptions"] = .null
        self.subscriptions[id] = GraphSubscription(
            id: id, email: draft.email.lowercased(), resource: body["resource"]?.string ?? "",
            changeTypes: (body["changeType"]?.string ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            notificationURL: draft.notificationURL, lifecycleURL: draft.lifecycleURL, clientState: body["clientState"]?.string,
            expiration: draft.expiration, json: json, immutableIds: draft.immutableIds)
        return .json(201, .object(json))
    }

    func graphSubscriptionNotFound() -> Reply {
        self.graphError(404, "ResourceNotFound", "The object was not found.")
    }

    /// `GET`, `PATCH` (renew) and `DELETE /subscriptions/{id}`.
    func graphSubscription(_ email: String, id: String, method: String, body: [String: JSONValue]?) -> Reply {
        guard var subscription = self.subscriptions[id], subscription.email == email.lowercased(), subscription.expiration > self.now else {
            return self.graphSubscriptionNotFound()
        }
        switch method {
        case "DELETE":
            self.subscriptions[id] = nil
            return .noContent
        case "PATCH":
            guard case .success(let expiration) = self.graphExpiration(body ?? [:]) else {
                if case .failure(let error) = self.graphExpiration(body ?? [:]) { return error.reply }
                return self.graphSubscriptionNotFound()
            }
            subscription.expiration = expiration
            subscription.json["expirationDateTime"] = .string(RFC3339.format(expiration, fractionalDigits: 7))
            self.subscriptions[id] = subscription
            return .json(200, .object(subscription.json))
        default:
            return .json(200, .object(subscription.json))
        }
    }

    /// After a change in a mailbox: one notification per matching live subscription.
    func graphChanged(_ email: String, id: String, changeType: String, etag: String) {
        let userId = self.userId(email)
        for subscription in self.subscriptions.values.sorted(by: { $0.id < $1.id })
        where subscription.email == email.lowercased() && subscription.expiration > self.now && subscription.changeTypes.contains(changeType)
            && Self.watchedFolder(subscription.resource) == nil {
            let resource = "Users/\(userId)/Events/\(id)"
            var item: [String: JSONValue] = [
                "subscriptionId": .string(subscription.id),
                "subscriptionExpirationDateTime": .string(RFC3339.format(subscription.expiration, fractionalDigits: 7)),
                "changeType": .string(changeType), "resource": .string(resource), "tenantId": .string(self.tenantId),
                "resourceData": ["@odata.type": "#Microsoft.Graph.Event", "@odata.id": .string(resource),
                                 "@odata.etag": .string("W/\"\(etag)\""), "id": .string(id)],
            ]
            item["clientState"] = subscription.clientState.map { .string($0) } ?? .null
            let body: JSONValue = ["value": [.object(item)]]
            self.send(WebhookMessage(url: subscription.notificationURL, headers: [("Content-Type", "application/json")], body: body.encoded()))
        }
    }

    /// Control API: sends a lifecycle notification (`reauthorizationRequired`, `subscriptionRemoved`, `missed`).
    func graphLifecycle(id: String, event: String) -> Reply {
        guard let subscription = self.subscriptions[id] else { return self.graphSubscriptionNotFound() }
        guard let url = subscription.lifecycleURL else {
            return .json(400, ["error": "subscription has no lifecycleNotificationUrl"])
        }
        var item: [String: JSONValue] = [
            "subscriptionId": .string(id), "lifecycleEvent": .string(event), "tenantId": .string(self.tenantId),
            "subscriptionExpirationDateTime": .string(RFC3339.format(subscription.expiration, fractionalDigits: 7)),
        ]
        item["clientState"] = subscription.clientState.map { .string($0) } ?? .null
        let body: JSONValue = ["value": [.object(item)]]
        self.send(WebhookMessage(url: url, headers: [("Content-Type", "application/json")], body: body.encoded()))
        if event == "subscriptionRemoved" { self.subscriptions[id] = nil }
        return .json(202, ["sent": true])
    }
}

/// A reply carried as an error (for `Result`).
struct SandboxFailure: Error, Sendable {
    var reply: Reply
    init(_ reply: Reply) { self.reply = reply }
}
