import Foundation

/// Microsoft Graph v1.0 mail of one account: per-folder message delta, MIME download and
/// sending, and inbox subscriptions. Every request asks `Prefer: IdType="ImmutableId"`, so a
/// message keeps its id when it moves between folders, and at most `maxConcurrentRequests`
/// requests of this client (and its copies) are in flight at once: Outlook allows 4 per
/// mailbox and answers the fifth with 429 `MailboxConcurrency`.
public struct GraphMailClient: Sendable {
    /// Where the API lives.
    public var endpoints: ProviderEndpoints
    /// Bearer tokens for the account.
    public var tokens: any AccessTokenProvider
    /// Transport, retries, clock and logger.
    public var http: ProviderHTTPClient
    /// `Prefer: odata.maxpagesize` of delta pages.
    public var pageSize: Int
    /// The most requests in flight at once.
    public let maxConcurrentRequests: Int
    /// Shared by every copy of this value.
    let limiter: RequestLimiter

    /// Creates a client.
    public init(
        endpoints: ProviderEndpoints = ProviderEndpoints(),
        tokens: any AccessTokenProvider,
        http: ProviderHTTPClient = ProviderHTTPClient(),
        pageSize: Int = 100,
        maxConcurrentRequests: Int = 4
    ) {
        self.endpoints = endpoints
        self.tokens = tokens
        self.http = http
        self.pageSize = max(1, pageSize)
        self.maxConcurrentRequests = max(1, maxConcurrentRequests)
        self.limiter = RequestLimiter(limit: self.maxConcurrentRequests)
    }

    /// The preference every request carries.
    static let immutableIds = "IdType=\"ImmutableId\""

    func url(_ path: [String], query: [(String, String)] = []) -> URL {
        URLEncoding.url(self.endpoints.graphBase, path: path, query: query)
    }

    /// Sends one request within the concurrency limit, with `Prefer: IdType="ImmutableId"`
    /// joined to any other preference.
    func send(
        _ method: String, _ url: URL, body: Data? = nil, headers: [String: String] = [:], prefer: [String] = [],
        context: RequestContext = .target, retryable: Bool = true
    ) async throws(ProviderError) -> HTTPResponse {
        var all = JSONCoding.headers.merging(headers) { $1 }
        all["Prefer"] = (prefer + [Self.immutableIds]).joined(separator: ", ")
        let request = HTTPRequest(method: method, url: url, headers: all, body: body)
        await self.limiter.acquire()
        do throws(ProviderError) {
            let response = try await self.http.send(request, tokens: self.tokens, context: context, retryable: retryable)
            await self.limiter.release()
            return response
        } catch {
            await self.limiter.release()
            throw error
        }
    }
}
