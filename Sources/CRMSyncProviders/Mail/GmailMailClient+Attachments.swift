import Foundation

/// One node of a Gmail message's part tree (`messages.get?format=full`, `payload`).
public struct GmailPart: Sendable, Hashable, Decodable {
    public struct Body: Sendable, Hashable, Decodable {
        public var attachmentId: String?
        public var size: Int64?
    }

    public var partId: String?
    public var mimeType: String?
    public var filename: String?
    public var body: Body?
    public var parts: [GmailPart]?

    /// The leaves with their IMAP section paths ("1", "2", "1.2"), numbered as IMAP and the MIME
    /// parser do: a single-part message's content is "1", a multipart's children count from 1.
    public func leaves(path: String = "") -> [(path: String, part: GmailPart)] {
        if self.mimeType?.lowercased().hasPrefix("multipart/") == true, let parts = self.parts, !parts.isEmpty {
            return parts.enumerated().flatMap { index, child in child.leaves(path: path.isEmpty ? "\(index + 1)" : "\(path).\(index + 1)") }
        }
        return [(path.isEmpty ? "1" : path, self)]
    }
}

/// Attachments of Gmail messages: the part's `attachmentId` found in the part tree by its
/// MIME path, and `messages.attachments.get` streamed (its JSON is read with
/// `JSONStringFieldScanner`, never held whole).
extension GmailMailClient {
    struct FullMessage: Decodable {
        var payload: GmailPart?
    }

    /// The attachment id and size of the part at `partPath` (else the only part named
    /// `filename`); nil when the message or part is gone.
    public func attachmentReference(messageID: String, partPath: String, filename: String?) async throws(ProviderError)
        -> (id: String, size: Int64?)?
    {
        let response: HTTPResponse
        do throws(ProviderError) {
            response = try await self.send("GET", self.url(["messages", messageID], query: [("format", "full"), ("fields", "payload")]))
        } catch .gone {
            return nil
        }
        let message = try JSONCoding.decode(FullMessage.self, from: response.body, what: "Gmail message parts")
        let leaves = message.payload?.leaves() ?? []
        var found = leaves.first { $0.path == partPath }?.part
        if found?.body?.attachmentId == nil, let filename {
            let named = leaves.filter { $0.part.filename == filename && $0.part.body?.attachmentId != nil }
            found = named.count == 1 ? named[0].part : nil
        }
        guard let body = found?.body, let id = body.attachmentId else { return nil }
        return (id, body.size)
    }

    /// `messages.attachments.get` as it arrives (JSON with base64url `data`); nil when gone.
    public func streamAttachment(messageID: String, attachmentID: String) async throws(ProviderError) -> HTTPStreamedResponse? {
        let request = HTTPRequest(
            method: "GET", url: self.url(["messages", messageID, "attachments", attachmentID]), headers: JSONCoding.headers)
        do throws(ProviderError) {
            return try await self.http.stream(request, tokens: self.tokens)
        } catch .gone {
            return nil
        }
    }
}
