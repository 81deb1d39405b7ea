import Foundation

extension GraphMailClient {
    /// The fields a delta page asks for (content is read as MIME).
    static let deltaFields = "internetMessageId,conversationId,parentFolderId,isRead,isDraft,receivedDateTime,categories"

    /// One page of a folder's delta: `.full` starts a round (folder well-known name or id),
    /// `.changes` follows a stored deltaLink, `.continuation` a nextLink, both verbatim. Throws
    /// `cursorExpired` on 410 `syncStateNotFound`/`resyncRequired`, and for a stored link to
    /// another origin (the bearer token must not go there; the caller starts a new round).
    public func deltaPage(folder: String, _ position: MailDeltaPosition) async throws(ProviderError) -> GraphMailDeltaPage {
        let url: URL
        switch position {
        case .full:
            url = self.url(["me", "mailFolders", folder, "messages", "delta"], query: [("$select", Self.deltaFields)])
        case .changes(let deltaLink):
            do {
                url = try self.link(deltaLink)
            } catch {
                throw .cursorExpired
            }
        case .continuation(let nextLink):
            url = try self.link(nextLink)
        }
        let response = try await self.send("GET", url, prefer: ["odata.maxpagesize=\(self.pageSize)"], context: .listing)
        let page = try JSONCoding.decode(GraphMailDeltaWire.self, from: response.body, what: "message delta page").page()
        guard page.nextLink != nil || page.deltaLink != nil else {
            throw .invalidResponse("message delta page has neither nextLink nor deltaLink")
        }
        return page
    }

    /// A Graph link, accepted only on Graph's own origin so the bearer token goes nowhere else.
    func link(_ text: String) throws(ProviderError) -> URL {
        guard let url = URL(string: text), URLEncoding.sameOrigin(url, self.endpoints.graphBase) else {
            throw .invalidArgument("link is not a Microsoft Graph URL")
        }
        return url
    }
}
