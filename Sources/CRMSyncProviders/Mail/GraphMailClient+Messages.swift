import Foundation

extension GraphMailClient {
    /// The message's MIME (`GET /me/messages/{id}/$value`); nil when it no longer exists.
    public func mime(messageID: String) async throws(ProviderError) -> Data? {
        let url = self.url(["me", "messages", messageID, "$value"])
        do throws(ProviderError) {
            return try await self.send("GET", url, headers: ["Accept": "*/*"]).body
        } catch .gone {
            return nil
        }
    }

    /// Fetches many MIME bodies with at most `maxConcurrentRequests` in flight for this mailbox.
    public func mimes(messageIDs: [String]) async -> [String: Result<Data?, ProviderError>] {
        // A plain index and no nested function capturing the group: the optimizer miscompiled
        // that shape (a crash hashing the ids in release builds).
        await withTaskGroup(of: (String, Result<Data?, ProviderError>).self) { group in
            var results: [String: Result<Data?, ProviderError>] = [:]
            var next = 0
            while next < min(messageIDs.count, self.maxConcurrentRequests) {
                let id = messageIDs[next]
                next += 1
                group.addTask { (id, await self.mimeResult(id)) }
            }
            while let (id, result) = await group.next() {
                results[id] = result
                if next < messageIDs.count {
                    let id = messageIDs[next]
                    next += 1
                    group.addTask { (id, await self.mimeResult(id)) }
                }
            }
            return results
        }
    }

    private func mimeResult(_ id: String) async -> Result<Data?, ProviderError> {
        do {
            return .success(try await self.mime(messageID: id))
        } catch {
            return .failure(error)
        }
    }

    /// Sends a complete RFC 5322 message (`POST /me/sendMail`, base64 MIME as text/plain);
    /// Graph stores it in Sent Items. Not retried: a request that may have been accepted
    /// would send the mail twice.
    public func sendMIME(_ raw: Data) async throws(ProviderError) {
        let body = Data(raw.base64EncodedString().utf8)
        _ = try await self.send("POST", self.url(["me", "sendMail"]), body: body,
                                headers: ["Content-Type": "text/plain"], retryable: false)
    }

    /// Subscribes to changes of the inbox's messages. Graph validates `notificationURL` first
    /// (the receiver echoes `validationToken`); `clientState` (≤128 chars) comes back in each
    /// notification. Notifications are hints: the folder's delta is the truth.
    public func subscribeToInbox(notificationURL: URL, clientState: String, expiration: Date) async throws(ProviderError) -> GraphSubscription {
        guard clientState.count <= 128 else { throw .invalidArgument("clientState is longer than 128 characters") }
        let body = GraphSubscriptionResource(
            changeType: "created,updated,deleted", notificationUrl: notificationURL.absoluteString,
            resource: "me/mailFolders('inbox')/messages", expirationDateTime: RFC3339.format(expiration), clientState: clientState)
        let request = HTTPRequest(
            method: "POST", url: self.url(["subscriptions"]),
            headers: JSONCoding.headers.merging(["Prefer": Self.immutableIds]) { $1 }, body: try JSONCoding.encode(body))
        let response = try await self.http.send(request, tokens: self.tokens, context: .target)
        return try JSONCoding.decode(GraphSubscriptionResource.self, from: response.body, what: "subscription").subscription()
    }
}
