import Foundation
import PostgresClient

extension EmailStore {
    /// Queues `draft` for sending from the caller's account (a person's request); returns the
    /// outbox id. Throws `DatabaseError.alreadyExists` when its Message-ID is already queued
    /// for the account, `.invalidValue` without a recipient, `.refused` for another account.
    public func queue(_ draft: EmailOutboxDraft, account: UUID, as identity: Identity) async throws -> UUID {
        try await self.database.session(identity) { connection in
            let id = try await connection.query(
                """
                select outbox_id from public.queue_email(
                  \(account), \(draft.messageID), \(draft.fromAddress), \(draft.toAddresses), \(draft.ccAddresses),
                  \(draft.bccAddresses), \(draft.subject), \(draft.rawMIME), \(draft.inReplyTo), \(draft.referencesIDs))
                """
            ).first?.decode(UUID?.self, at: 0)
            guard let id else { throw DatabaseError.unexpected("queue_email returned no id") }
            return id
        }
    }

    /// Takes up to `limit` messages of the account to send: queued ones that are due, and ones
    /// stuck in 'sending' for more than `staleSeconds` (`wasSending`: look the Message-ID up
    /// in Sent before sending again).
    public func claimOutbox(account: UUID, limit: Int, staleSeconds: Int, as owner: Identity) async throws -> [EmailOutboxItem] {
        try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                """
                select outbox_id, message_id, from_address, to_addresses, cc_addresses, bcc_addresses, subject,
                       raw_mime, in_reply_to, references_ids, attempts, was_sending
                from public.claim_email_outbox(\(account), \(limit), \(staleSeconds))
                """
            ).rows.map { row in
                EmailOutboxItem(
                    id: try row.decode(UUID.self, at: 0), messageID: try row.decode(String.self, at: 1),
                    fromAddress: try row.decode(String.self, at: 2), toAddresses: try row.decode([String].self, at: 3),
                    ccAddresses: try row.decode([String].self, at: 4), bccAddresses: try row.decode([String].self, at: 5),
                    subject: try row.decode(String?.self, at: 6), rawMIME: try row.decode(Data.self, at: 7),
                    inReplyTo: try row.decode(String?.self, at: 8), referencesIDs: try row.decode([String].self, at: 9),
                    attempts: try row.decode(Int.self, at: 10), wasSending: try row.decode(Bool.self, at: 11))
            }
        }
    }

    /// Records what became of a claimed message (`.sent` creates or links the outbound
    /// `email_messages` row; repeating `.sent` is harmless). `DatabaseError.wrongState` when
    /// the message is not being sent.
    public func finishSend(outbox: UUID, _ outcome: EmailSendOutcome, as owner: Identity) async throws {
        let (name, error, retryAt): (String, String?, Date?) =
            switch outcome {
            case .sent: ("sent", nil, nil)
            case .retry(let error, let at): ("retry", error, at)
            case .failed(let error): ("failed", error, nil)
            }
        _ = try await self.database.session(owner, role: .worker) { connection in
            try await connection.query("select public.finish_email_send(\(outbox), \(name), \(error), \(retryAt))")
        }
    }
}

/// A message to queue: the built RFC 5322 message and the fields the outbox lists.
public struct EmailOutboxDraft: Sendable, Hashable {
    /// The Message-ID header of `rawMIME` (with its angle brackets), unique per account.
    public var messageID: String
    public var fromAddress: String
    public var toAddresses: [String]
    public var ccAddresses: [String]
    public var bccAddresses: [String]
    public var subject: String?
    /// The whole message, CRLF line ends; no secrets in it.
    public var rawMIME: Data
    public var inReplyTo: String?
    public var referencesIDs: [String]

    public init(
        messageID: String, fromAddress: String, toAddresses: [String], ccAddresses: [String] = [],
        bccAddresses: [String] = [], subject: String?, rawMIME: Data, inReplyTo: String? = nil, referencesIDs: [String] = []
    ) {
        self.messageID = messageID
        self.fromAddress = fromAddress
        self.toAddresses = toAddresses
        self.ccAddresses = ccAddresses
        self.bccAddresses = bccAddresses
        self.subject = subject
        self.rawMIME = rawMIME
        self.inReplyTo = inReplyTo
        self.referencesIDs = referencesIDs
    }
}

/// A message the worker claimed for sending.
public struct EmailOutboxItem: Sendable, Hashable {
    public var id: UUID
    public var messageID: String
    public var fromAddress: String
    public var toAddresses: [String]
    public var ccAddresses: [String]
    public var bccAddresses: [String]
    public var subject: String?
    public var rawMIME: Data
    public var inReplyTo: String?
    public var referencesIDs: [String]
    /// Including this one.
    public var attempts: Int
    /// An earlier send was interrupted: the message may already be out (check Sent first).
    public var wasSending: Bool

    public init(
        id: UUID, messageID: String, fromAddress: String, toAddresses: [String], ccAddresses: [String],
        bccAddresses: [String], subject: String?, rawMIME: Data, inReplyTo: String?, referencesIDs: [String], attempts: Int,
        wasSending: Bool
    ) {
        self.id = id
        self.messageID = messageID
        self.fromAddress = fromAddress
        self.toAddresses = toAddresses
        self.ccAddresses = ccAddresses
        self.bccAddresses = bccAddresses
        self.subject = subject
        self.rawMIME = rawMIME
        self.inReplyTo = inReplyTo
        self.referencesIDs = referencesIDs
        self.attempts = attempts
        self.wasSending = wasSending
    }

    /// All envelope recipients (to, cc, bcc).
    public var recipients: [String] { self.toAddresses + self.ccAddresses + self.bccAddresses }
}

/// What became of one send.
public enum EmailSendOutcome: Sendable, Hashable {
    /// The server accepted it (or it was found in Sent after an interrupted send).
    case sent
    /// A temporary failure: queue it again at `at` (nil: back off 2^attempts minutes, at most an hour).
    /// `error` is shown to the owner: no secrets.
    case retry(error: String, at: Date?)
    /// A permanent failure. `error` is shown to the owner: no secrets.
    case failed(error: String)
}
