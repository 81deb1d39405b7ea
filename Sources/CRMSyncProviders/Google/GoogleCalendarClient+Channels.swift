import Foundation

extension GoogleCalendarClient {
    /// Opens a push channel on the calendar's events (`events.watch`, type `web_hook`).
    /// Channels do not renew: open a new one (new id) before `expiration` and stop the old.
    public func watch(channelId: String, address: URL, token: String? = nil, expiration: Date? = nil) async throws(ProviderError) -> GoogleChannel {
        let body = GoogleChannelResource(
            id: channelId, token: token, expiration: expiration.map(MillisecondsSinceEpoch.init), type: "web_hook",
            address: address.absoluteString
        )
        let url = URLEncoding.url(self.eventsURL, path: ["watch"])
        let response = try await self.send("POST", url, body: try JSONCoding.encode(body), context: .target)
        let channel = try JSONCoding.decode(GoogleChannelResource.self, from: response.body, what: "channel")
        guard let resourceId = channel.resourceId else { throw .invalidResponse("channel has no resourceId") }
        return GoogleChannel(
            id: channel.id, resourceId: resourceId, resourceURI: channel.resourceUri, token: channel.token,
            expiration: channel.expiration?.date
        )
    }

    /// Stops a channel (`channels.stop`).
    public func stopChannel(id: String, resourceId: String) async throws(ProviderError) {
        let body = try JSONCoding.encode(["id": id, "resourceId": resourceId])
        let url = URLEncoding.url(self.endpoints.googleAPIBase, path: ["channels", "stop"])
        _ = try await self.send("POST", url, body: body, context: .target)
    }
}
