import Foundation

extension GraphMailClient {
    /// Whether Sent Items holds a message with this Message-ID (`internetMessageId`, brackets
    /// optional): how a retry of `sendMIME` learns that an earlier attempt went out.
    public func sentMessageExists(internetMessageID: String) async throws(ProviderError) -> Bool {
        let bare = internetMessageID.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t"))
        // OData string literals double their quotes.
        let literal = "<\(bare)>".replacingOccurrences(of: "'", with: "''")
        let url = self.url(["me", "mailFolders", "sentitems", "messages"], query: [
            ("$filter", "internetMessageId eq '\(literal)'"), ("$select", "id"), ("$top", "1"),
        ])
        let response = try await self.send("GET", url)
        let page = try JSONCoding.decode(SentSearch.self, from: response.body, what: "sent items search")
        return !page.value.isEmpty
    }

    private struct SentSearch: Decodable {
        struct Item: Decodable { var id: String }
        var value: [Item]
    }
}
