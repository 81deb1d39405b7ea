import CRMSyncSupport
import Foundation

/// Gmail reads: `users.getProfile`, `labels.list`, `messages.list` (with the `q` operators a
/// sync client needs) and `messages.get` in the `minimal`, `metadata`, `raw` and `full` formats
/// (`full`'s payload: SandboxState+GmailAttachments).
extension SandboxState {
    static let gmailSystemLabels = ["INBOX", "SENT", "DRAFT", "TRASH", "SPAM", "UNREAD", "STARRED", "IMPORTANT"]

    func gmailProfile(_ email: String) -> Reply {
        let mailbox = self.gmailMailbox(email)
        let threads = Set(mailbox.messages.values.map(\.threadId))
        return .json(200, [
            "emailAddress": .string(email), "messagesTotal": .int(mailbox.messages.count), "threadsTotal": .int(threads.count),
            "historyId": .string(String(mailbox.historyId)),
        ])
    }

    func gmailLabels(_ email: String) -> Reply {
        let mailbox = self.gmailMailbox(email)
        let user = Set(mailbox.messages.values.flatMap(\.labelIds)).subtracting(Self.gmailSystemLabels).sorted()
        let labels: [JSONValue] = Self.gmailSystemLabels.map { ["id": .string($0), "name": .string($0), "type": "system"] }
            + user.map { ["id": .string($0), "name": .string($0), "type": "user"] }
        return .json(200, ["labels": .array(labels)])
    }

    /// `messages.list`: newest first, paged.
    func gmailList(_ email: String, _ request: SandboxRequest) -> Reply {
        if let token = request.query["pageToken"] { return self.gmailNextPage(email, token: token, request) }
        let mailbox = self.gmailMailbox(email)
        var wanted = request.queryValues("labelIds").flatMap { $0.split(separator: ",").map(String.init) }
        var messageIds: [String] = []
        var words: [String] = []
        for term in (request.query["q"] ?? "").split(whereSeparator: \.isWhitespace).map(String.init) {
            let lower = term.lowercased()
            if lower.hasPrefix("rfc822msgid:") {
                messageIds.append(String(term.dropFirst("rfc822msgid:".count)).trimmingCharacters(in: CharacterSet(charactersIn: "<>")))
            } else if lower.hasPrefix("in:") || lower.hasPrefix("label:") || lower.hasPrefix("is:") {
                let name = String(term[term.index(after: term.firstIndex(of: ":")!)...])
                wanted.append(Self.gmailSystemLabels.first { $0.caseInsensitiveCompare(name) == .orderedSame } ?? name)
            } else {
                words.append(lower)
            }
        }
        let includeSpamTrash = request.query["includeSpamTrash"] == "true"
        let matches = mailbox.order.compactMap { mailbox.messages[$0] }.filter { message in
            if !wanted.allSatisfy({ message.labelIds.contains($0) }) { return false }
            if !includeSpamTrash && !message.labelIds.filter({ $0 == "TRASH" || $0 == "SPAM" }).allSatisfy(wanted.contains) { return false }
            if !messageIds.allSatisfy({ $0 == message.rfc822MessageId }) { return false }
            let text = String(decoding: message.raw, as: UTF8.self).lowercased()
            return words.allSatisfy { text.contains($0) }
        }
        let ordered = matches.enumerated().sorted { lhs, rhs in
            lhs.element.internalDate != rhs.element.internalDate ? lhs.element.internalDate > rhs.element.internalDate : lhs.offset > rhs.offset
        }.map { JSONValue.object($0.element.ref) }
        let page = GmailPageCursor(email: email, items: ordered, offset: 0, member: "messages", extra: ["resultSizeEstimate": .int(ordered.count)])
        return self.gmailPage(page, request)
    }

    /// `messages.get`.
    func gmailGet(_ email: String, id: String, format: String?) -> Reply {
        guard let message = self.gmailMailbox(email).messages[id] else { return GmailError.notFound() }
        var body = message.refWithLabels
        let format = format ?? "full"
        guard ["minimal", "metadata", "raw", "full"].contains(format) else {
            return GmailError.invalidArgument("Invalid value at 'format' (\(format))")
        }
        body["snippet"] = .string(message.snippet)
        body["historyId"] = .string(String(message.historyId))
        body["internalDate"] = .string(String(Int64((message.internalDate.timeIntervalSince1970 * 1000).rounded())))
        body["sizeEstimate"] = .int(message.raw.count)
        if format == "raw" { body["raw"] = .string(Base64URL.encode(message.raw)) }
        if format == "full" { body["payload"] = Self.gmailPayload(message) }
        return .json(200, .object(body))
    }

    /// Continues a paged listing from its page token.
    func gmailNextPage(_ email: String, token: String, _ request: SandboxRequest) -> Reply {
        guard let page = self.gmailPages[token], page.email == email else {
            return GmailError.invalidArgument("Invalid pageToken")
        }
        self.gmailPages[token] = nil
        return self.gmailPage(page, request)
    }

    /// One page (`maxResults`, default 100, at most 500); the rest is kept under a new token.
    func gmailPage(_ page: GmailPageCursor, _ request: SandboxRequest) -> Reply {
        let size = min(500, max(1, request.query["maxResults"].flatMap { Int($0) } ?? 100))
        var page = page
        let slice = Array(page.items[page.offset..<min(page.items.count, page.offset + size)])
        page.offset += slice.count
        var body = page.extra
        if !slice.isEmpty { body[page.member] = .array(slice) }
        if page.offset < page.items.count {
            let token = self.generator.digits(20)
            self.gmailPages[token] = page
            body["nextPageToken"] = .string(token)
        }
        return .json(200, .object(body))
    }
}
