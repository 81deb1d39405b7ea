import CRMSyncMIME
import CRMSyncSupport
import Foundation

/// The Gmail mailbox as a history-keeping store: every change (a message added, deleted,
/// labelled or unlabelled) bumps the mailbox's `historyId`, appends a history record and
/// may queue a Pub/Sub push for the mailbox's watch.
extension SandboxState {
    /// The mailbox of `email` (lowercased), created empty when missing.
    func gmailMailbox(_ email: String) -> GmailMailbox {
        let email = email.lowercased()
        if let mailbox = self.gmailMailboxes[email] { return mailbox }
        let mailbox = GmailMailbox(email: email, historyId: 1000 + Int(self.generator.next() % 9000))
        self.gmailMailboxes[email] = mailbox
        return mailbox
    }

    /// A new message or thread id: 16 lowercase hex digits.
    func gmailId() -> String {
        self.generator.string(16, alphabet: "0123456789abcdef")
    }

    /// Stores `raw` in the mailbox of `email`; the thread is `threadId` when given, else the
    /// thread of a message its In-Reply-To/References name, else a new one.
    @discardableResult
    func gmailInsert(_ email: String, raw: Data, labelIds: [String], threadId: String?, internalDate: Date? = nil) -> GmailMessage {
        var mailbox = self.gmailMailbox(email)
        let parsed = MIMEParser(options: .init(maxBodyBytes: 4096)).parse(raw)
        let parents = Set(parsed.inReplyTo + parsed.references)
        let known = parents.isEmpty ? nil : mailbox.order.reversed().lazy.compactMap { mailbox.messages[$0] }
            .first { $0.rfc822MessageId.map { parents.contains($0) } == true }?.threadId
        let text = parsed.textBody?.content ?? ""
        let snippet = String(text.split(whereSeparator: \.isWhitespace).joined(separator: " ").prefix(200))
        let message = GmailMessage(
            id: self.gmailId(), threadId: threadId ?? known ?? "", labelIds: Self.gmailUnique(labelIds), raw: raw,
            internalDate: internalDate ?? self.now, historyId: 0, rfc822MessageId: parsed.messageID, snippet: snippet)
        var stored = message
        if stored.threadId.isEmpty { stored.threadId = stored.id }
        mailbox.messages[stored.id] = stored
        mailbox.order.append(stored.id)
        self.gmailMailboxes[mailbox.email] = mailbox
        return self.gmailRecord(mailbox.email, stored.id, .messageAdded)
    }

    /// Adds and removes labels; one history record per kind of change that happened.
    func gmailModify(_ email: String, id: String, add: [String], remove: [String]) -> GmailMessage? {
        guard let message = self.gmailMailboxes[email.lowercased()]?.messages[id] else { return nil }
        let added = Self.gmailUnique(add).filter { !message.labelIds.contains($0) && !remove.contains($0) }
        let removed = Self.gmailUnique(remove).filter { message.labelIds.contains($0) }
        var result = message
        if !added.isEmpty {
            self.gmailMailboxes[email.lowercased()]?.messages[id]?.labelIds += added
            result = self.gmailRecord(email.lowercased(), id, .labelAdded, labels: added)
        }
        if !removed.isEmpty {
            self.gmailMailboxes[email.lowercased()]?.messages[id]?.labelIds.removeAll { removed.contains($0) }
            result = self.gmailRecord(email.lowercased(), id, .labelRemoved, labels: removed)
        }
        return result
    }

    /// Deletes a message for good (not to the trash).
    func gmailDelete(_ email: String, id: String) -> Bool {
        guard self.gmailMailboxes[email.lowercased()]?.messages[id] != nil else { return false }
        self.gmailRecord(email.lowercased(), id, .messageDeleted)
        self.gmailMailboxes[email.lowercased()]?.messages[id] = nil
        self.gmailMailboxes[email.lowercased()]?.order.removeAll { $0 == id }
        return true
    }

    /// Bumps the history id, stamps the message with it, appends the record, pushes.
    @discardableResult
    private func gmailRecord(_ email: String, _ id: String, _ kind: GmailHistoryRecord.Kind, labels: [String] = []) -> GmailMessage {
        guard var mailbox = self.gmailMailboxes[email], var message = mailbox.messages[id] else {
            preconditionFailure("recording a change of a message that is not stored")
        }
        mailbox.historyId += 1 + Int(self.generator.next() % 3)
        message.historyId = mailbox.historyId
        mailbox.messages[id] = message
        let record = GmailHistoryRecord(id: mailbox.historyId, kind: kind, message: message, labels: labels)
        mailbox.history.append(record)
        self.gmailMailboxes[email] = mailbox
        self.gmailPush(mailbox, record)
        return message
    }

    /// Labels once each, in first-seen order.
    static func gmailUnique(_ labels: [String]) -> [String] {
        var seen: Set<String> = []
        return labels.filter { seen.insert($0).inserted }
    }
}
