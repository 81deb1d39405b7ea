import Foundation

extension GraphCalendarClient {
    /// Creates a subscription. Graph first validates `notificationURL` (and the lifecycle
    /// URL) by POSTing a `validationToken` that the receiver must echo within 10 s.
    /// `clientState` (≤128 chars) comes back in every notification. The resource defaults to
    /// the calendar's events.
    public func subscribe(
        notificationURL: URL,
        lifecycleNotificationURL: URL? = nil,
        clientState: String,
        expiration: Date,
        changeType: String = "created,updated,deleted",
        resource: String? = nil
    ) async throws(ProviderError) -> GraphSubscription {
        guard clientState.count <= 128 else { throw .invalidArgument("clientState is longer than 128 characters") }
        let body = GraphSubscriptionResource(
            changeType: changeType, notificationUrl: notificationURL.absoluteString,
            lifecycleNotificationUrl: lifecycleNotificationURL?.absoluteString,
            resource: resource ?? "/" + (self.calendarPath + ["events"]).joined(separator: "/"),
            expirationDateTime: RFC3339.format(expiration), clientState: clientState
        )
        let response = try await self.send("POST", self.url(["subscriptions"]), body: try JSONCoding.encode(body))
        return try JSONCoding.decode(GraphSubscriptionResource.self, from: response.body, what: "subscription").subscription()
    }

    /// Extends a subscription to `expiration`.
    public func renewSubscription(id: String, expiration: Date) async throws(ProviderError) -> GraphSubscription {
        let body = try JSONCoding.encode(["expirationDateTime": RFC3339.format(expiration)])
        let response = try await self.send("PATCH", self.url(["subscriptions", id]), body: body)
        return try JSONCoding.decode(GraphSubscriptionResource.self, from: response.body, what: "subscription").subscription()
    }

    /// Deletes a subscription.
    public func deleteSubscription(id: String) async throws(ProviderError) {
        _ = try await self.send("DELETE", self.url(["subscriptions", id]))
    }
}
