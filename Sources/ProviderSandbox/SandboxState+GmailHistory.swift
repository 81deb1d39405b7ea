import CRMSyncSupport
import Foundation

/// `history.list`: the mailbox's changes after `startHistoryId`, filtered by `historyTypes`
/// and `labelId`, paged. An id older than the retained history, or one the mailbox never
/// had, is Google's 404; the current id gives an empty history.
extension SandboxState {
    func gmailHistory(_ email: String, _ request: SandboxRequest) -> Reply {
        if let token = request.query["pageToken"] { return self.gmailNextPage(email, token: token, request) }
        let mailbox = self.gmailMailbox(email)
        guard let text = request.query["startHistoryId"] else {
            return GoogleError.reply(400, reason: "invalidArgument", message: "Missing required parameter startHistoryId")
        }
        guard let start = Int(text), start >= mailbox.oldestHistoryId, start <= mailbox.historyId else {
            return GmailError.notFound()
        }
        let types = Set(request.queryValues("historyTypes").compactMap(GmailHistoryRecord.Kind.init(rawValue:)))
        let labelId = request.query["labelId"]
        let items: [JSONValue] = mailbox.history.filter { record in
            guard record.id > start, types.isEmpty || types.contains(record.kind) else { return false }
            guard let labelId else { return true }
            return record.message.labelIds.contains(labelId) || record.labels.contains(labelId)
        }.map(Self.gmailHistoryJSON)
        let page = GmailPageCursor(
            email: email, items: items, offset: 0, member: "history", extra: ["historyId": .string(String(mailbox.historyId))])
        return self.gmailPage(page, request)
    }

    static func gmailHistoryJSON(_ record: GmailHistoryRecord) -> JSONValue {
        let message = record.message
        var body: [String: JSONValue] = ["id": .string(String(record.id)), "messages": [.object(message.ref)]]
        switch record.kind {
        case .messageAdded: body["messagesAdded"] = [["message": .object(message.refWithLabels)]]
        case .messageDeleted: body["messagesDeleted"] = [["message": .object(message.ref)]]
        case .labelAdded, .labelRemoved:
            let change: JSONValue = ["message": .object(message.refWithLabels), "labelIds": .array(record.labels.map(JSONValue.string))]
            body[record.kind == .labelAdded ? "labelsAdded" : "labelsRemoved"] = [change]
        }
        return .object(body)
    }

    /// Control API: forget the user's Gmail history and listing pages; only the current
    /// `historyId` stays a valid start. Returns how many records went.
    func gmailExpireHistory(email: String) -> Int {
        let email = email.lowercased()
        self.gmailPages = self.gmailPages.filter { $0.value.email != email }
        guard var mailbox = self.gmailMailboxes[email] else { return 0 }
        let count = mailbox.history.count
        mailbox.history = []
        mailbox.oldestHistoryId = mailbox.historyId
        self.gmailMailboxes[email] = mailbox
        return count
    }
}
