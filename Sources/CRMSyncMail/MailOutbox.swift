import CRMSyncDatabase
import CRMSyncMIME
import Foundation

/// A message to send from a connected account.
public struct OutgoingMail: Sendable {
    public var to: [String]
    public var cc: [String]
    public var bcc: [String]
    public var subject: String?
    public var text: String
    public var html: String?
    /// The message replied to: its Message-ID (with or without brackets) or its row id.
    public var replyTo: String?
    public var attachments: [MailDraft.Attachment]

    public init(
        to: [String], cc: [String] = [], bcc: [String] = [], subject: String? = nil, text: String, html: String? = nil,
        replyTo: String? = nil, attachments: [MailDraft.Attachment] = []
    ) {
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.subject = subject
        self.text = text
        self.html = html
        self.replyTo = replyTo
        self.attachments = attachments
    }
}

/// Where a reply sits in its thread: the parent's Message-ID, the chain, and its subject.
public struct MailThreading: Sendable, Hashable {
    /// The parent's Message-ID.
    public var inReplyTo: String
    /// The thread's ids, oldest first, ending with the parent's.
    public var references: [String]
    /// The parent's subject (nil when unknown or not visible): "Re: " it when the reply has none.
    public var parentSubject: String?

    public init(inReplyTo: String, references: [String], parentSubject: String?) {
        self.inReplyTo = inReplyTo
        self.references = references
        self.parentSubject = parentSubject
    }
}

/// Puts mail in the outbox: the message is built once, with its Message-ID fixed, and stored
/// before any send attempt, so a retry sends the very same bytes and can be recognised in the
/// Sent folder. Replies carry In-Reply-To and References, and "Re: " the parent's subject.
public struct MailOutbox: Sendable {
    public var database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    /// Queues `mail` from `account` for `identity` (the account's owner); returns the outbox row
    /// and the Message-ID.
    public func queue(_ mail: OutgoingMail, from account: UUID, as identity: Identity) async throws -> (outboxID: UUID, messageID: String) {
        let store = EmailStore(database: self.database)
        var threading: MailThreading?
        if let target = mail.replyTo {
            guard let parent = try await store.replyContext(of: target, account: account, as: identity) else {
                throw MailSyncError.replyTargetNotFound(target)
            }
            threading = MailThreading(
                inReplyTo: parent.messageID, references: parent.references + [parent.messageID], parentSubject: parent.subject)
        }
        let draft = try await self.compose(mail, from: account, threading: threading, as: identity)
        let id = try await store.queue(draft, account: account, as: identity)
        return (id, draft.messageID)
    }

    /// Builds the message `mail` from the caller's `account` (Message-ID fixed now), threaded
    /// as `threading` says (`mail.replyTo` is not looked at), ready for the outbox.
    public func compose(_ mail: OutgoingMail, from account: UUID, threading: MailThreading?, as identity: Identity) async throws
        -> EmailOutboxDraft
    {
        let store = EmailStore(database: self.database)
        guard let sender = try await store.sender(of: account, as: identity) else { throw MailSyncError.accountNotFound(account) }
        let to = try Self.addresses(mail.to, field: "--to")
        let cc = try Self.addresses(mail.cc, field: "--cc")
        let bcc = try Self.addresses(mail.bcc, field: "--bcc")
        guard !(to + cc + bcc).isEmpty else { throw MailSyncError.invalidMessage("it has no recipient") }
        var subject = mail.subject ?? ""
        if let threading, mail.subject == nil {
            let parentSubject = threading.parentSubject ?? ""
            subject = parentSubject.lowercased().hasPrefix("re:") ? parentSubject : "Re: \(parentSubject)"
        }
        let draft = MailDraft(
            from: MailAddress(name: sender.displayName, address: sender.email), to: to, cc: cc, bcc: bcc, subject: subject,
            inReplyTo: threading?.inReplyTo, references: threading?.references ?? [], text: mail.text, html: mail.html,
            attachments: mail.attachments)
        return EmailOutboxDraft(
            messageID: draft.messageID, fromAddress: sender.email, toAddresses: to.map(\.address), ccAddresses: cc.map(\.address),
            bccAddresses: bcc.map(\.address), subject: subject, rawMIME: Data(MIMEBuilder.build(draft)),
            inReplyTo: threading?.inReplyTo, referencesIDs: threading?.references ?? [])
    }

    /// True when `value` is a list of one or more well-formed addresses (the check `compose` makes).
    public static func isAddressList(_ value: String) -> Bool {
        let parsed = MailAddress.parseList(value)
        return !parsed.isEmpty && parsed.allSatisfy { Self.isAddress($0.address) }
    }

    private static func addresses(_ values: [String], field: String) throws(MailSyncError) -> [MailAddress] {
        var result: [MailAddress] = []
        for value in values {
            let parsed = MailAddress.parseList(value)
            guard !parsed.isEmpty, parsed.allSatisfy({ Self.isAddress($0.address) }) else {
                throw .invalidMessage("\(field) \(value.debugDescription) is not an email address")
            }
            result += parsed
        }
        return result
    }

    private static func isAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return !address.contains { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," }
    }
}
