import Foundation

extension GmailMailClient {
    static let historyTypes = ["messageAdded", "messageDeleted", "labelAdded", "labelRemoved"]

    /// One page of `history.list` after `historyId`, as changes in history order. The next
    /// cursor is `historyId` of the last page. A 404 (id too old or unknown) is `cursorExpired`:
    /// run a full listing.
    public func history(since historyId: String, pageToken: String?) async throws(ProviderError) -> GmailHistoryPage {
        var items: [(String, String)] = [("startHistoryId", historyId), ("maxResults", "500")]
        items += Self.historyTypes.map { ("historyTypes", $0) }
        if let pageToken { items.append(("pageToken", pageToken)) }
        let response: HTTPResponse
        do {
            response = try await self.send("GET", self.url(["history"], query: items), context: .listing)
        } catch .gone {
            throw .cursorExpired
        }
        let page = try JSONCoding.decode(GmailHistoryResponse.self, from: response.body, what: "Gmail history page")
        guard let current = page.historyId?.value else { throw .invalidResponse("Gmail history page has no historyId") }
        var changes: [GmailChange] = []
        for record in page.history ?? [] {
            changes += (record.messagesAdded ?? []).map { GmailChange.added($0.message) }
            changes += (record.messagesDeleted ?? []).map { GmailChange.deleted(id: $0.message.id) }
            changes += (record.labelsAdded ?? []).map { GmailChange.labelsAdded(id: $0.message.id, labels: $0.labelIds ?? []) }
            changes += (record.labelsRemoved ?? []).map { GmailChange.labelsRemoved(id: $0.message.id, labels: $0.labelIds ?? []) }
        }
        return GmailHistoryPage(changes: changes, nextPageToken: page.nextPageToken, historyId: current)
    }
}
