import CRMSyncMIME
import CRMSyncSupport
import Foundation

/// Outlook messages: mailboxes with their well-known folders, messages made from MIME, their
/// Graph JSON, and `GET /me/messages/{id}` and `/$value`.
extension SandboxState {
    /// The mailbox of `email`, created with its well-known folders on first use.
    func graphMailbox(_ email: String) -> GraphMailbox {
        let key = email.lowercased()
        if let mailbox = self.graphMailboxes[key] { return mailbox }
        var mailbox = GraphMailbox()
        for name in GraphMailbox.wellKnown {
            mailbox.folders[name] = "AQMkADAwATM0MDAAMS1" + self.generator.alphanumeric(40) + "AAAA=="
        }
        self.graphMailboxes[key] = mailbox
        return mailbox
    }

    /// Stores a message made from `raw` in `folder` of `email`'s mailbox (created if missing);
    /// notifies subscriptions. Returns the record.
    @discardableResult
    func graphStoreMessage(_ email: String, raw: Data, folder: String, isRead: Bool, received: Date? = nil) -> MailRecord? {
        var mailbox = self.graphMailbox(email)
        guard let folderId = mailbox.folderId(folder) else { return nil }
        let mime = MIMEParser().parse(raw)
        let now = self.graphNow
        let sender = mime.from.first ?? MailAddress(address: email)
        var json: [String: JSONValue] = [
            "@odata.type": "#microsoft.graph.message",
            "createdDateTime": .string(now), "lastModifiedDateTime": .string(now),
            "receivedDateTime": .string(received.map { RFC3339.format($0, fractionalDigits: 0) } ?? Self.graphSeconds(self.now)),
            "sentDateTime": .string(Self.graphSeconds(mime.date ?? self.now)),
            "hasAttachments": .bool(!mime.attachments.isEmpty),
            "internetMessageId": .string("<" + (mime.messageID ?? "\(self.generator.alphanumeric(24))@sandbox.outlook.invalid") + ">"),
            "subject": .string(mime.subject ?? ""),
            "bodyPreview": .string(Self.preview(mime.textBody?.content ?? mime.htmlBody?.content ?? "")),
            "isRead": .bool(isRead), "isDraft": .bool(folder.lowercased() == "drafts"),
            "from": Self.recipient(sender), "sender": Self.recipient(mime.sender.first ?? sender),
            "toRecipients": .array(mime.to.map(Self.recipient)), "ccRecipients": .array(mime.cc.map(Self.recipient)),
            "categories": [],
        ]
        let conversation = mailbox.conversation(of: mime.inReplyTo + mime.references)
        json["conversationId"] = .string(conversation ?? "AAQkADAwATM0MDAAMS1" + self.generator.alphanumeric(32) + "=")
        let record = MailRecord(
            immutableId: "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A" + self.generator.alphanumeric(48) + "AAA=",
            restId: self.graphRestId(), folder: folderId, raw: raw, json: json, changeKey: self.generator.alphanumeric(28))
        mailbox.put(record)
        self.graphMailboxes[email.lowercased()] = mailbox
        self.graphMailChanged(email, record, changeType: "created")
        return record
    }

    /// A REST id (a new one on every move).
    func graphRestId() -> String { "AAMkADAwATM0MDAAMS1" + self.generator.alphanumeric(64) + "AAA=" }

    /// The message as Graph returns it, ids by IdType, fields cut to `select` (ids always kept).
    func graphRenderMessage(_ record: MailRecord, immutable: Bool, select: [String]? = nil) -> JSONValue {
        var json = record.json
        json["id"] = .string(record.id(immutable: immutable))
        json["parentFolderId"] = .string(record.folder)
        json["@odata.etag"] = .string("W/\"\(record.changeKey)\"")
        if let select {
            let keep = Set(select.map { $0.lowercased() } + ["id", "@odata.type", "@odata.etag"])
            json = json.filter { keep.contains($0.key.lowercased()) }
        }
        return .object(json)
    }

    /// `GET /me/messages/{id}` and `GET /me/messages/{id}/$value`.
    func graphMessage(_ email: String, _ request: SandboxRequest, id: String, mime: Bool) -> Reply {
        guard let record = self.graphMailbox(email).find(id) else { return self.graphNotFound() }
        if mime { return Reply(status: 200, headers: [("Content-Type", "message/rfc822")], body: record.raw) }
        let select = request.query["$select"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        return .json(200, self.graphRenderMessage(record, immutable: Self.immutableIds(request), select: select))
    }

    /// Whether the request asked `Prefer: IdType="ImmutableId"`.
    nonisolated static func immutableIds(_ request: SandboxRequest) -> Bool {
        Self.preferences(request.header("prefer"))["idtype"]?.lowercased() == "immutableid"
    }

    nonisolated static func recipient(_ address: MailAddress) -> JSONValue {
        ["emailAddress": ["name": .string(address.name ?? address.address), "address": .string(address.address)]]
    }

    nonisolated static func graphSeconds(_ date: Date) -> String { RFC3339.format(date, fractionalDigits: 0) }
}
