import CRMSyncSupport
import Foundation

/// Control API on Outlook mail, playing the world and the user: mail arrives, is read, moved
/// or deleted in Outlook; and every stored message for assertions.
extension SandboxState {
    /// `POST /_sandbox/microsoft/users/{email}/messages` `{mime | raw, folder?, isRead?, receivedDateTime?}`.
    func controlGraphMailArrive(email: String, body: [String: JSONValue]) -> Reply {
        let raw: Data? = body["mime"]?.string.map { Data($0.utf8) }
            ?? body["raw"]?.string.flatMap { Data(base64Encoded: $0, options: .ignoreUnknownCharacters) }
        guard let raw, !raw.isEmpty else { return .json(400, ["error": "mime (text) or raw (base64) is required"]) }
        let received = body["receivedDateTime"]?.string.flatMap(RFC3339.parse)
        guard let record = self.graphStoreMessage(email, raw: raw, folder: body["folder"]?.string ?? "inbox",
                                                  isRead: body["isRead"]?.bool ?? false, received: received)
        else { return .json(400, ["error": "unknown folder"]) }
        return .json(201, self.controlGraphMailJSON(email, record))
    }

    /// `PATCH …/messages/{id}` `{isRead?, folder?, categories?}` and `DELETE …/messages/{id}`.
    func controlGraphMailChange(email: String, id: String, method: String, body: [String: JSONValue]) -> Reply {
        var mailbox = self.graphMailbox(email)
        guard var record = mailbox.find(id) else { return self.graphNotFound() }
        let before = record
        if method == "DELETE" {
            record.deleted = true
            mailbox.put(record)
            self.graphMailboxes[email.lowercased()] = mailbox
            self.graphMailChanged(email, record, changeType: "deleted")
            return .noContent
        }
        if let isRead = body["isRead"]?.bool { record.json["isRead"] = .bool(isRead) }
        if let categories = body["categories"]?.array { record.json["categories"] = .array(categories) }
        if let folder = body["folder"]?.string {
            guard let target = mailbox.folderId(folder) else { return .json(400, ["error": "unknown folder"]) }
            if target != record.folder {
                record.folder = target
                record.restId = self.graphRestId()
            }
        }
        record.changeKey = self.generator.alphanumeric(28)
        record.json["lastModifiedDateTime"] = .string(self.graphNow)
        mailbox.put(record)
        self.graphMailboxes[email.lowercased()] = mailbox
        if before.folder != record.folder {
            // Gone from the old folder under the id it had there.
            self.graphMailChanged(email, before, changeType: "deleted")
            self.graphMailChanged(email, record, changeType: "created")
        } else {
            self.graphMailChanged(email, record, changeType: "updated")
        }
        return .json(200, self.controlGraphMailJSON(email, record))
    }

    /// `GET …/messages`: every live message with both ids, its folder and its MIME.
    func controlGraphMailList(email: String) -> Reply {
        let mailbox = self.graphMailbox(email)
        let items = mailbox.order.compactMap { mailbox.find($0) }.map { self.controlGraphMailJSON(email, $0) }
        return .json(200, ["value": .array(items)])
    }

    private func controlGraphMailJSON(_ email: String, _ record: MailRecord) -> JSONValue {
        var json = self.graphRenderMessage(record, immutable: false).object ?? [:]
        json["immutableId"] = .string(record.immutableId)
        json["folder"] = .string(self.graphMailbox(email).folderName(record.folder))
        json["mime"] = .string(String(decoding: record.raw, as: UTF8.self))
        return .object(json)
    }
}
