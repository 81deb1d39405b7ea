import CRMSyncSupport
import Foundation

/// Gmail calls after routing, and the control API that plays the user's side of Gmail (mail
/// arrives, the user reads, labels, moves or deletes it).
enum GmailOperation: Sendable {
    case profile, labels, list, history, send, watch, stop
    case get(String)
}

extension SandboxState {
    /// Authenticates (a Google access token; `userId` `me` or the token's own address) and runs the call.
    func gmail(_ request: SandboxRequest, userId: String, _ operation: GmailOperation) -> Reply {
        self.asUser(request, .google) { email in
            guard userId == "me" || userId.lowercased() == email else {
                return GoogleError.reply(403, reason: "forbidden", message: "Delegation denied for \(email)")
            }
            _ = self.gmailMailbox(email)
            switch operation {
            case .profile: return self.gmailProfile(email)
            case .labels: return self.gmailLabels(email)
            case .list: return self.gmailList(email, request)
            case .history: return self.gmailHistory(email, request)
            case .send: return self.gmailSend(email, request)
            case .watch:
                guard let body = request.jsonBody else { return GoogleError.reply(400, reason: "parseError", message: "Parse Error") }
                return self.gmailWatch(email, body: body)
            case .stop: return self.gmailStop(email)
            case .get(let id): return self.gmailGet(email, id: id, format: request.query["format"])
            }
        }
    }

    /// Control API: mail arrives in the user's mailbox (`raw` base64url or `mime` text).
    func controlGmailInsert(email: String, body: [String: JSONValue]) -> Reply {
        guard let raw = body["raw"]?.string.flatMap(Base64URL.decode) ?? body["mime"]?.string.map({ Data($0.utf8) }), !raw.isEmpty else {
            return .json(400, ["error": "raw (base64url) or mime is required"])
        }
        let labels = body["labelIds"]?.array?.compactMap(\.string) ?? ["INBOX", "UNREAD"]
        let date = body["internalDate"]?.int.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) }
        let message = self.gmailInsert(email, raw: raw, labelIds: labels, threadId: body["threadId"]?.string, internalDate: date)
        return .json(200, .object(message.refWithLabels))
    }

    /// Control API: `PATCH` changes labels, `DELETE` deletes for good.
    func controlGmailMessage(email: String, id: String, _ request: SandboxRequest) -> Reply {
        if request.method == "DELETE" { return self.gmailDelete(email, id: id) ? .noContent : GmailError.notFound() }
        let body = request.jsonBody ?? [:]
        let add = body["addLabelIds"]?.array?.compactMap(\.string) ?? []
        let remove = body["removeLabelIds"]?.array?.compactMap(\.string) ?? []
        guard let message = self.gmailModify(email, id: id, add: add, remove: remove) else { return GmailError.notFound() }
        return .json(200, .object(message.refWithLabels))
    }

    /// Control API: every stored message of the mailbox, in arrival order, with its raw bytes.
    func controlGmailList(email: String) -> Reply {
        let mailbox = self.gmailMailboxes[email.lowercased()] ?? GmailMailbox(email: email.lowercased(), historyId: 0)
        let items: [JSONValue] = mailbox.order.compactMap { mailbox.messages[$0] }.map { message in
            var json = message.refWithLabels
            json["historyId"] = .string(String(message.historyId))
            json["internalDate"] = .string(String(Int64(message.internalDate.timeIntervalSince1970 * 1000)))
            json["rfc822MessageId"] = message.rfc822MessageId.map(JSONValue.string) ?? .null
            json["raw"] = .string(Base64URL.encode(message.raw))
            return .object(json)
        }
        return .json(200, ["messages": .array(items), "historyId": .string(String(mailbox.historyId))])
    }
}
