import CRMSyncDatabase
import Foundation
import Logging
import MailTransport

/// Sends an account's queued mail exactly once: over SMTP for IMAP accounts, through the API
/// for Gmail and Outlook (`APIOutboxSender.swift`).
///
/// Over SMTP, each claimed message goes: (a retry? look for its Message-ID in the Sent folder first: a
/// crash or a lost reply may have come after the server took it) → SMTP → APPEND to Sent unless
/// the server already filed it there → recorded as sent (`finish_email_send` also stores it in
/// `email_messages` as outbound). A message whose send failed for good (a recipient or the
/// message refused) is marked failed with the reason; a transient failure is retried later.
public struct OutboxSender: Sendable {
    public var database: TenantDatabase
    public var trust: MailTrust
    public var timeout: Duration
    /// A message left in `sending` this long is taken to be a crashed attempt.
    public var staleAfter: Duration
    /// Where Gmail and Graph are reached, and how.
    public var api: MailAPIAccess
    public var logger: Logger

    public init(
        database: TenantDatabase, trust: MailTrust = MailTrust(), timeout: Duration = .seconds(60), staleAfter: Duration = .seconds(300),
        api: MailAPIAccess? = nil, logger: Logger = Logger(label: "crmsync.mail")
    ) {
        self.database = database
        self.trust = trust
        self.timeout = timeout
        self.staleAfter = staleAfter
        self.api = api ?? MailAPIAccess(database: database, logger: logger)
        self.logger = logger
    }

    /// What became of one queued message.
    public struct Outcome: Sendable, Equatable {
        public enum Result: String, Sendable { case sent, alreadySent = "already_sent", retry, failed }
        public var outboxID: UUID
        public var messageID: String
        public var result: Result
        public var error: String?
    }

    var store: EmailStore { EmailStore(database: self.database) }

    /// Sends what is due in `account`'s outbox, as its owner.
    public func sendPending(account id: UUID, as owner: Identity, limit: Int = 20) async throws -> [Outcome] {
        let items = try await self.store.claimOutbox(
            account: id, limit: limit, staleSeconds: max(1, Int(self.staleAfter.components.seconds)), as: owner)
        guard !items.isEmpty else { return [] }
        guard let stored = try await self.store.account(id, as: owner) else { throw MailSyncError.accountNotFound(id) }
        // Each outcome is recorded as soon as it is known: a crash leaves the fewest in `sending`.
        let record: Record = { item, outcome in
            let recorded: EmailSendOutcome =
                switch outcome.result {
                case .sent, .alreadySent: .sent
                case .retry: .retry(error: outcome.error ?? "retry", at: Date().addingTimeInterval(Self.retryDelay(attempt: item.attempts)))
                case .failed: .failed(error: outcome.error ?? "failed")
                }
            try await self.store.finishSend(outbox: item.id, recorded, as: owner)
        }
        if let provider = APIMailProvider(rawValue: stored.settings.provider) {
            return try await self.sendThroughAPI(items, account: stored, provider: provider, api: self.api, record: record)
        }
        return try await self.sendOverSMTP(items, account: stored, record: record)
    }

    typealias Record = @Sendable (EmailOutboxItem, Outcome) async throws -> Void

    private func sendOverSMTP(_ items: [EmailOutboxItem], account stored: EmailStore.Account, record: Record) async throws -> [Outcome] {
        let account = try MailAccount(stored, trust: self.trust)
        let secrets = try await self.store.secrets(of: stored.id, as: stored.owner)
        let smtp = SMTPClient(
            endpoint: account.smtp, credential: try account.smtpCredential(secrets), timeout: self.timeout, logger: self.logger)
        let mailbox = SentFolder(account: account, credential: try account.imapCredential(secrets), timeout: self.timeout, logger: self.logger)
        var outcomes: [Outcome] = []
        for item in items {
            if Task.isCancelled { break }  // the rest stay claimed and are re-checked against Sent when stale
            let outcome = await self.send(item, from: account, smtp: smtp, sent: mailbox)
            try await record(item, outcome)
            outcomes.append(outcome)
        }
        await mailbox.close()
        return outcomes
    }

    private func send(_ item: EmailOutboxItem, from account: MailAccount, smtp: SMTPClient, sent: SentFolder) async -> Outcome {
        var outcome = Outcome(outboxID: item.id, messageID: item.messageID, result: .sent)
        // A previous attempt may have reached the server: never send twice.
        if item.attempts > 1 || item.wasSending {
            do {
                if try await sent.contains(messageID: item.messageID) {
                    outcome.result = .alreadySent
                    return outcome
                }
            } catch {
                outcome.result = .retry
                outcome.error = "could not check the Sent folder before resending: \(error)"
                return outcome
            }
        }
        do {
            try await smtp.send(from: account.email, recipients: item.recipients, message: Array(item.rawMIME))
        } catch {
            switch error {
            case .rejected, .commandFailed:
                outcome.result = .failed
            default:
                outcome.result = .retry
            }
            outcome.error = MailSyncError.smtp(host: account.smtp.host, error).description
            return outcome
        }
        // Sent. A missing Sent copy is said in the log, but the message is not sent again for it.
        do {
            if try await !sent.contains(messageID: item.messageID) {
                try await sent.append(Array(item.rawMIME))
            }
        } catch {
            self.logger.warning("sent, but not copied to the Sent folder", metadata: ["message_id": "\(item.messageID)", "error": "\(error)"])
        }
        return outcome
    }

    /// Seconds before retry `attempt`: 30 s doubling to an hour.
    static func retryDelay(attempt: Int) -> TimeInterval {
        min(3600, 30 * pow(2, Double(max(0, attempt - 1))))
    }
}

/// The account's Sent folder over one IMAP session, opened when first needed.
actor SentFolder {
    let account: MailAccount
    let credential: MailCredential
    let timeout: Duration
    let logger: Logger
    private var client: IMAPClient?
    private var folderName: String?

    init(account: MailAccount, credential: MailCredential, timeout: Duration, logger: Logger) {
        self.account = account
        self.credential = credential
        self.timeout = timeout
        self.logger = logger
    }

    private func open() async throws -> (IMAPClient, String) {
        if let client, let folderName { return (client, folderName) }
        let client = try await IMAPClient.connect(to: self.account.imap, credential: self.credential, timeout: self.timeout, logger: self.logger)
        guard let sent = FolderSelection.sentFolder(in: try await client.listFolders()) else {
            await client.logout()
            throw MailSyncError.incompleteAccount("the mailbox has no Sent folder")
        }
        self.client = client
        self.folderName = sent.name
        return (client, sent.name)
    }

    func contains(messageID: String) async throws -> Bool {
        let (client, name) = try await self.open()
        _ = try await client.examine(name, qresync: nil)
        return try await !client.searchUIDs(messageID: messageID).isEmpty
    }

    func append(_ raw: [UInt8]) async throws {
        let (client, name) = try await self.open()
        _ = try await client.append(name, message: raw, flags: ["\\Seen"], date: Date())
    }

    func close() async {
        await self.client?.logout()
        self.client = nil
    }
}
