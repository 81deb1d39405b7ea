import CRMSyncSupport
import Foundation

/// Change notifications for message subscriptions (`/me/messages`, `/me/mailFolders('inbox')/messages`),
/// sent through the same outbox as event notifications; ids by the IdType the subscription was
/// created with.
extension SandboxState {
    func graphMailChanged(_ email: String, _ record: MailRecord, changeType: String) {
        let key = email.lowercased()
        let userId = self.userId(key)
        let mailbox = self.graphMailbox(key)
        for subscription in self.subscriptions.values.sorted(by: { $0.id < $1.id })
        where subscription.email == key && subscription.expiration > self.now && subscription.changeTypes.contains(changeType) {
            guard let watched = Self.watchedFolder(subscription.resource) else { continue }
            if let name = watched, mailbox.folderId(name) != record.folder { continue }
            let id = record.id(immutable: subscription.immutableIds)
            let resource = "Users/\(userId)/Messages/\(id)"
            var item: [String: JSONValue] = [
                "subscriptionId": .string(subscription.id),
                "subscriptionExpirationDateTime": .string(RFC3339.format(subscription.expiration, fractionalDigits: 7)),
                "changeType": .string(changeType), "resource": .string(resource), "tenantId": .string(self.tenantId),
                "resourceData": ["@odata.type": "#Microsoft.Graph.Message", "@odata.id": .string(resource),
                                 "@odata.etag": .string("W/\"\(record.changeKey)\""), "id": .string(id)],
            ]
            item["clientState"] = subscription.clientState.map { .string($0) } ?? .null
            let body: JSONValue = ["value": [.object(item)]]
            self.send(WebhookMessage(url: subscription.notificationURL, headers: [("Content-Type", "application/json")], body: body.encoded()))
        }
    }

    /// For a message resource: `.some(nil)` for every folder (`me/messages`), `.some(name)` for
    /// `me/mailFolders('name')/messages`; nil when the resource is not messages.
    nonisolated static func watchedFolder(_ resource: String) -> String?? {
        guard resource.lowercased().hasSuffix("messages") else { return nil }
        guard let open = resource.range(of: "mailFolders", options: .caseInsensitive) else { return .some(nil) }
        let rest = resource[open.upperBound...].drop { $0 == "(" || $0 == "/" }
        guard let close = rest.firstIndex(where: { $0 == ")" || $0 == "/" }) else { return nil }
        return .some(rest[..<close].trimmingCharacters(in: CharacterSet(charactersIn: "'\"")))
    }
}
