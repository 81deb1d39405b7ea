import Foundation

/// Gmail API v1 for one account (`users/me`): listing and fetching raw messages, the history
/// cursor, sending, and Pub/Sub watches. Every call goes through `ProviderHTTPClient`
/// (tokens, retries, `Retry-After`, error mapping); `send` is never retried.
public struct GmailMailClient: Sendable {
    /// Where the API lives (`gmailAPIBase`).
    public var endpoints: ProviderEndpoints
    /// Bearer tokens for the account.
    public var tokens: any AccessTokenProvider
    /// Transport, retries, clock and logger.
    public var http: ProviderHTTPClient

    /// Creates a client.
    public init(
        endpoints: ProviderEndpoints = ProviderEndpoints(), tokens: any AccessTokenProvider, http: ProviderHTTPClient = ProviderHTTPClient()
    ) {
        self.endpoints = endpoints
        self.tokens = tokens
        self.http = http
    }

    /// `…/users/me/<path>?<query>`.
    func url(_ path: [String], query: [(String, String)] = []) -> URL {
        URLEncoding.url(self.endpoints.gmailAPIBase, path: ["users", "me"] + path, query: query)
    }

    func send(_ method: String, _ url: URL, body: Data? = nil, context: RequestContext = .target, retryable: Bool = true)
        async throws(ProviderError) -> HTTPResponse
    {
        let request = HTTPRequest(method: method, url: url, headers: JSONCoding.headers, body: body)
        return try await self.http.send(request, tokens: self.tokens, context: context, retryable: retryable)
    }

    /// `users.getProfile`: the address and the current `historyId` (take it before a full listing).
    public func profile() async throws(ProviderError) -> GmailProfile {
        let response = try await self.send("GET", self.url(["profile"]))
        return try JSONCoding.decode(GmailProfile.self, from: response.body, what: "Gmail profile")
    }

    /// `users.watch`: Pub/Sub notifications for changes on `labelIds` (all when empty); renew
    /// before `expiration` (7 days; daily is advised).
    public func watch(topicName: String, labelIds: [String]) async throws(ProviderError) -> GmailWatch {
        let body = try JSONCoding.encode(GmailWatchRequest(topicName: topicName, labelIds: labelIds.isEmpty ? nil : labelIds,
                                                            labelFilterBehavior: labelIds.isEmpty ? nil : "INCLUDE"))
        let response = try await self.send("POST", self.url(["watch"]), body: body)
        let watch = try JSONCoding.decode(GmailWatchResponse.self, from: response.body, what: "Gmail watch")
        return GmailWatch(historyId: watch.historyId.value, expiration: watch.expiration.date)
    }

    /// `users.stop`: no more notifications for this mailbox.
    public func stopWatch() async throws(ProviderError) {
        _ = try await self.send("POST", self.url(["stop"]))
    }
}
