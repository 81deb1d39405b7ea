import CRMSyncSupport
import Foundation

extension GmailMailClient {
    /// One page of `messages.list` (ids only, newest first); `labelId` and `query` (Gmail
    /// search syntax) narrow it. `pageSize` is capped at Gmail's 500.
    public func listMessages(labelId: String?, query: String? = nil, pageToken: String?, pageSize: Int = 500)
        async throws(ProviderError) -> GmailMessageList
    {
        var items: [(String, String)] = [("maxResults", String(min(500, max(1, pageSize))))]
        if let labelId { items.append(("labelIds", labelId)) }
        if let query { items.append(("q", query)) }
        if let pageToken { items.append(("pageToken", pageToken)) }
        let response = try await self.send("GET", self.url(["messages"], query: items), context: .listing)
        let list = try JSONCoding.decode(GmailListResponse.self, from: response.body, what: "Gmail messages.list page")
        return GmailMessageList(messages: list.messages ?? [], nextPageToken: list.nextPageToken)
    }

    /// Every message id with that RFC 822 Message-ID (angle brackets optional), Trash and
    /// Spam included: how a lost send reply is resolved without sending twice.
    public func messageIDs(rfc822MessageID: String) async throws(ProviderError) -> [String] {
        let bare = rfc822MessageID.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t"))
        var ids: [String] = []
        var pageToken: String?
        repeat {
            var items: [(String, String)] = [("q", "rfc822msgid:\(bare)"), ("includeSpamTrash", "true"), ("maxResults", "500")]
            if let pageToken { items.append(("pageToken", pageToken)) }
            let response = try await self.send("GET", self.url(["messages"], query: items), context: .listing)
            let list = try JSONCoding.decode(GmailListResponse.self, from: response.body, what: "Gmail messages.list page")
            ids += (list.messages ?? []).map(\.id)
            pageToken = list.nextPageToken
        } while pageToken != nil
        return ids
    }

    /// `messages.get?format=raw`, the RFC 822 bytes decoded; nil when the message is gone
    /// (404: deleted since it was listed).
    public func rawMessage(id: String) async throws(ProviderError) -> GmailRawMessage? {
        let response: HTTPResponse
        do {
            response = try await self.send("GET", self.url(["messages", id], query: [("format", "raw")]))
        } catch .gone {
            return nil
        }
        let message = try JSONCoding.decode(GmailMessageResource.self, from: response.body, what: "Gmail message")
        guard let text = message.raw, let raw = Base64URL.decode(text) else {
            throw .invalidResponse("Gmail message has no readable raw content")
        }
        return GmailRawMessage(
            id: message.id, threadId: message.threadId ?? message.id, labelIds: message.labelIds ?? [],
            internalDate: message.internalDate.map { $0.date }, sizeEstimate: message.sizeEstimate, raw: raw)
    }

    /// `messages.send`. Not retried once sent: a lost reply may mean it went out, so the
    /// caller looks it up with `messageIDs(rfc822MessageID:)` instead of sending again.
    public func send(raw: Data, threadId: String?) async throws(ProviderError) -> GmailMessageRef {
        let body = try JSONCoding.encode(GmailSendRequest(raw: Base64URL.encode(raw), threadId: threadId))
        let response = try await self.send("POST", self.url(["messages", "send"]), body: body, retryable: false)
        return try JSONCoding.decode(GmailMessageRef.self, from: response.body, what: "Gmail sent message")
    }
}
