import CRMSyncMIME
import CRMSyncSupport
import Foundation

/// Gmail's part tree and attachments: `messages.get?format=full` carries `payload` (partId
/// "" for the top, "0", "1", "0.1" … below, as Gmail numbers them; small text bodies inline as
/// base64url `data`, everything with a file name by `attachmentId`), and
/// `messages.attachments.get` answers `{attachmentId, size, data}` with the content base64url.
extension SandboxState {
    /// The `payload` of format=full, made from the stored MIME.
    nonisolated static func gmailPayload(_ message: GmailMessage) -> JSONValue {
        self.gmailPart(MIMEParser().parse(message.raw).root, partId: "", messageId: message.id)
    }

    nonisolated static func gmailAttachmentId(messageId: String, path: String) -> String {
        "ANGjdJ" + Base64URL.encode(Array("\(messageId)|\(path)".utf8))
    }

    private nonisolated static func gmailPart(_ part: MIMEPart, partId: String, messageId: String) -> JSONValue {
        var json: [String: JSONValue] = [
            "partId": .string(partId), "mimeType": .string(part.contentType.mimeType), "filename": .string(part.filename ?? ""),
            "headers": .array(part.headers.fields.map { .object(["name": .string($0.name), "value": .string($0.rawValue)]) }),
        ]
        if part.isMultipart {
            json["body"] = ["size": 0]
            json["parts"] = .array(part.children.enumerated().map { index, child in
                self.gmailPart(child, partId: partId.isEmpty ? "\(index)" : "\(partId).\(index)", messageId: messageId)
            })
        } else if part.filename != nil || part.contentType.type != "text" {
            json["body"] = [
                "size": .int(part.decodedSize), "attachmentId": .string(self.gmailAttachmentId(messageId: messageId, path: part.path)),
            ]
        } else {
            let content = part.decodedContent()
            json["body"] = ["size": .int(content.count), "data": .string(Base64URL.encode(content))]
        }
        return .object(json)
    }

    /// `GET …/messages/{messageId}/attachments/{id}`.
    func gmailAttachment(_ request: SandboxRequest, userId: String, messageId: String, attachmentId: String) -> Reply {
        self.asUser(request, .google) { email in
            guard userId == "me" || userId.lowercased() == email else {
                return GoogleError.reply(403, reason: "forbidden", message: "Delegation denied for \(email)")
            }
            guard let message = self.gmailMailbox(email).messages[messageId] else { return GmailError.notFound() }
            let mime = MIMEParser().parse(message.raw)
            guard let attachment = mime.attachments.first(where: { Self.gmailAttachmentId(messageId: messageId, path: $0.partPath) == attachmentId }),
                let content = mime.decodedContent(ofPart: attachment.partPath)
            else { return GoogleError.reply(400, reason: "invalidArgument", message: "Invalid attachment token") }
            return .json(200, ["attachmentId": .string(attachmentId), "size": .int(content.count), "data": .string(Base64URL.encode(content))])
        }
    }
}
