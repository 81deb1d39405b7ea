import Foundation

/// One attachment of an Outlook message as `GET /me/messages/{id}/attachments` lists it.
public struct GraphAttachmentInfo: Sendable, Hashable, Decodable {
    public var id: String
    public var name: String?
    public var contentType: String?
    /// Graph's size (content plus some metadata, so not the exact byte count).
    public var size: Int64?
    public var isInline: Bool?

    public init(id: String, name: String?, contentType: String?, size: Int64?, isInline: Bool?) {
        self.id = id
        self.name = name
        self.contentType = contentType
        self.size = size
        self.isInline = isInline
    }
}

/// Attachments of Outlook messages: the list (metadata only, never `contentBytes`) and one
/// attachment's raw content streamed from `/$value`, never held whole.
extension GraphMailClient {
    struct AttachmentList: Decodable {
        var value: [GraphAttachmentInfo]
    }

    /// The message's attachments in Graph's order; nil when the message no longer exists.
    public func attachments(messageID: String) async throws(ProviderError) -> [GraphAttachmentInfo]? {
        let url = self.url(
            ["me", "messages", messageID, "attachments"], query: [("$select", "id,name,contentType,size,isInline")])
        do throws(ProviderError) {
            let response = try await self.send("GET", url)
            return try JSONCoding.decode(AttachmentList.self, from: response.body, what: "Graph attachment list").value
        } catch .gone {
            return nil
        }
    }

    /// The raw content of one attachment (`…/attachments/{id}/$value`) as it arrives; nil when
    /// the message or attachment is gone. The stream does not hold one of the mailbox's
    /// request slots: it is one long request the caller paces.
    public func streamAttachment(messageID: String, attachmentID: String) async throws(ProviderError) -> HTTPStreamedResponse? {
        let url = self.url(["me", "messages", messageID, "attachments", attachmentID, "$value"])
        let request = HTTPRequest(method: "GET", url: url, headers: ["Accept": "*/*", "Prefer": Self.immutableIds])
        do throws(ProviderError) {
            return try await self.http.stream(request, tokens: self.tokens)
        } catch .gone {
            return nil
        }
    }
}
