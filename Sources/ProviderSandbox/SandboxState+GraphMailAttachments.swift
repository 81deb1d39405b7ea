import CRMSyncMIME
import CRMSyncSupport
import Foundation

/// Outlook message attachments: `GET /me/messages/{id}/attachments` (metadata; `contentBytes`
/// only without `$select`, as Graph) and `GET /me/messages/{id}/attachments/{aid}/$value` (the
/// raw content), both made from the stored MIME. Attachment ids are opaque and stable per
/// message and part.
extension SandboxState {
    /// The attachments of the message, in MIME order, with their ids.
    nonisolated static func graphAttachments(of record: MailRecord) -> [(id: String, attachment: MIMEAttachment)] {
        let message = MIMEParser().parse(record.raw)
        return message.attachments.map { attachment in
            ("AAMkATT" + Base64URL.encode(Array((record.immutableId + "|" + attachment.partPath).utf8)), attachment)
        }
    }

    /// `GET /me/messages/{id}/attachments`.
    func graphMessageAttachments(_ email: String, _ request: SandboxRequest, id: String) -> Reply {
        guard let record = self.graphMailbox(email).find(id) else { return self.graphNotFound() }
        let select = request.query["$select"].map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }) }
        let message = MIMEParser().parse(record.raw)
        let values: [JSONValue] = Self.graphAttachments(of: record).map { id, attachment in
            var json: [String: JSONValue] = [
                "@odata.type": .string(attachment.contentType == "message/rfc822" ? "#microsoft.graph.itemAttachment" : "#microsoft.graph.fileAttachment"),
                "id": .string(id), "name": .string(attachment.filename ?? "attachment"),
                "contentType": .string(attachment.contentType), "isInline": .bool(attachment.disposition == .inline),
                // Graph counts some metadata into the size: never the exact content length.
                "size": .int(attachment.size + 180),
                "lastModifiedDateTime": .string(self.graphNow),
            ]
            if select == nil, let content = message.decodedContent(ofPart: attachment.partPath) {
                json["contentBytes"] = .string(Data(content).base64EncodedString())
            }
            if let select {
                json = json.filter { select.contains($0.key.lowercased()) || $0.key == "id" || $0.key == "@odata.type" }
            }
            return .object(json)
        }
        return .json(200, ["value": .array(values)])
    }

    /// `GET /me/messages/{id}/attachments/{aid}/$value`.
    func graphAttachmentValue(_ email: String, _ request: SandboxRequest, id: String, attachmentID: String) -> Reply {
        guard let record = self.graphMailbox(email).find(id),
            let found = Self.graphAttachments(of: record).first(where: { $0.id == attachmentID }),
            let content = MIMEParser().parse(record.raw).decodedContent(ofPart: found.attachment.partPath)
        else { return self.graphNotFound() }
        return Reply(status: 200, headers: [("Content-Type", found.attachment.contentType)], body: Data(content))
    }
}
