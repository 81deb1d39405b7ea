import Foundation

/// A Graph change-notification subscription.
public struct GraphSubscription: Sendable, Hashable, Codable {
    /// Graph's id of the subscription.
    public var id: String
    /// The watched resource, such as `/me/events`.
    public var resource: String
    /// The change types, such as `created,updated,deleted`.
    public var changeType: String
    /// Where notifications go.
    public var notificationURL: String
    /// Where lifecycle notifications go.
    public var lifecycleNotificationURL: String?
    /// When the subscription ends unless renewed.
    public var expiration: Date
    /// The secret Graph echoes as `clientState` in every notification.
    public var clientState: String?
}

/// The wire form.
struct GraphSubscriptionResource: Codable {
    var id: String?
    var changeType: String?
    var notificationUrl: String?
    var lifecycleNotificationUrl: String?
    var resource: String?
    var expirationDateTime: String?
    var clientState: String?

    func subscription() throws(ProviderError) -> GraphSubscription {
        guard let id = self.id, let expiration = self.expirationDateTime.flatMap(RFC3339.parse) else {
            throw .invalidResponse("subscription lacks id or expirationDateTime")
        }
        return GraphSubscription(
            id: id, resource: self.resource ?? "", changeType: self.changeType ?? "",
            notificationURL: self.notificationUrl ?? "", lifecycleNotificationURL: self.lifecycleNotificationUrl,
            expiration: expiration, clientState: self.clientState
        )
    }
}
