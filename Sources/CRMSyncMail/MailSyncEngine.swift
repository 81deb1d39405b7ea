import CRMSyncDatabase
import CRMSyncMIME
import CRMSyncProviders
import Foundation
import Logging
import MailTransport

/// Imports the mail of one account, one run at a time: IMAP accounts (iCloud, any IMAP server)
/// over IMAP, Gmail and Outlook through their APIs.
///
/// A courier like the calendar engine: it reads the account and its secret in the owner's
/// worker session, walks the chosen folders with `IMAPFolderSync` (or `GmailMailSync`,
/// `GraphMailSync`), and hands each batch to the import functions; the run is logged with
/// `start_email_sync` / `finish_email_sync`. Importing never marks a message read (IMAP reads
/// with EXAMINE and BODY.PEEK[]; the APIs' reads change nothing).
public struct MailSyncEngine: Sendable {
    public var database: TenantDatabase
    public var trust: MailTrust
    /// Connect and read timeout of the IMAP session.
    public var timeout: Duration
    public var parser: MIMEParser
    /// Where Gmail and Graph are reached, and how.
    public var api: MailAPIAccess
    public var logger: Logger

    var store: EmailStore { EmailStore(database: self.database) }

    public init(
        database: TenantDatabase, trust: MailTrust = MailTrust(), timeout: Duration = .seconds(60),
        parser: MIMEParser = MIMEParser(), api: MailAPIAccess? = nil, logger: Logger = Logger(label: "crmsync.mail")
    ) {
        self.database = database
        self.trust = trust
        self.timeout = timeout
        self.parser = parser
        self.api = api ?? MailAPIAccess(database: database, logger: logger)
        self.logger = logger
    }

    /// Runs one sync of `account` as `owner` and logs it in `email_sync_log`.
    ///
    /// Throws only when the run cannot start (the account is not visible to `owner`) or its log
    /// cannot be written; every other failure ends in a `failed` report. A folder that fails
    /// leaves the others to sync (`partial`).
    public func sync(account id: UUID, as owner: Identity, options: MailSyncOptions = MailSyncOptions()) async throws -> MailSyncReport {
        guard let stored = try await self.store.account(id, as: owner) else { throw MailSyncError.accountNotFound(id) }
        let logID = try await self.store.startSync(account: id, syncType: options.trigger.rawValue, as: owner)
        var logger = self.logger
        logger[metadataKey: "account"] = "\(id.uuidString.lowercased())"
        var report = MailSyncReport(status: .success)
        var reauthorize = false
        do {
            if let provider = APIMailProvider(rawValue: stored.settings.provider) {
                try await self.runAPI(stored, provider: provider, options: options, report: &report, logger: logger)
            } else {
                let account = try MailAccount(stored, trust: self.trust)
                try await self.run(account, options: options, report: &report, logger: logger)
            }
        } catch let error as ProviderError {
            report.status = .failed
            report.errors.append(MailSyncErrorDetail(message: error.description))
            switch error {
            case .reconnectRequired, .unauthorized: reauthorize = true
            default: break
            }
        } catch let error as MailSyncError {
            report.status = .failed
            report.errors.append(MailSyncErrorDetail(message: error.description))
            reauthorize = error.needsReauthorization
        } catch {
            report.status = .failed
            report.errors.append(MailSyncErrorDetail(message: "\(error)"))
        }
        if report.status == .success, !report.errors.isEmpty { report.status = .partial }
        if report.status != .success {
            logger.warning("mail sync \(report.status.rawValue)", metadata: ["errors": "\(report.errors.map(\.message))"])
        }
        try await self.store.finishSync(
            log: logID,
            EmailSyncFinish(
                status: EmailSyncStatus(rawValue: report.status.rawValue) ?? .failed, imported: report.imported,
                updated: report.updated, deleted: report.deleted, errors: report.errors.count),
            details: report.errors, as: owner)
        if reauthorize {
            try await self.store.markNeedsReauth(id, as: owner)
        }
        return report
    }

    private func run(_ account: MailAccount, options: MailSyncOptions, report: inout MailSyncReport, logger: Logger) async throws {
        let secrets = try await self.store.secrets(of: account.id, as: account.owner)
        let credential = try account.imapCredential(secrets)
        let client = try await report.timing.measure(\.imap) {
            try await self.open(account, credential: credential, logger: logger)
        }
        do {
            try await self.syncFolders(account, client: client, options: options, report: &report, logger: logger)
        } catch {
            report.roundTrips = await client.roundTrips
            await client.logout()
            throw error
        }
        report.roundTrips = await client.roundTrips
        await client.logout()
    }

    /// A Gmail or Outlook run through the provider's API.
    private func runAPI(
        _ account: EmailStore.Account, provider: APIMailProvider, options: MailSyncOptions, report: inout MailSyncReport, logger: Logger
    ) async throws {
        let tokens = try await self.api.tokens(account: account.id, provider: provider, owner: account.owner)
        let names = account.syncFolders ?? provider.defaultFolders
        switch provider {
        case .gmail:
            let sync = GmailMailSync(
                client: self.api.gmail(tokens), store: self.store, account: account.id, owner: account.owner,
                email: account.settings.email, labels: names, parser: self.parser, options: options, logger: logger)
            try await sync.run(into: &report)
        case .outlook:
            var folders: [EmailStore.FolderCursor] = []
            var cursors = try await self.store.syncCursors(account: account.id, as: account.owner)
            for name in names {
                if !cursors.folders.contains(where: { $0.name == name }) {
                    let role: EmailFolderRole = name.lowercased() == "inbox" ? .inbox : name.lowercased() == "sentitems" ? .sent : .other
                    _ = try await self.store.ensureFolder(account: account.id, name: name, role: role, as: account.owner)
                    cursors = try await self.store.syncCursors(account: account.id, as: account.owner)
                }
                if let folder = cursors.folders.first(where: { $0.name == name }) { folders.append(folder) }
            }
            let sync = GraphMailSync(
                client: self.api.graph(tokens), store: self.store, account: account.id, owner: account.owner, folders: folders,
                parser: self.parser, options: options, logger: logger)
            try await sync.run(into: &report)
        }
        await MailPushUpkeep(api: self.api, store: self.store).renew(account, provider: provider, tokens: tokens, folders: names, report: &report)
    }

    /// Logs in; a transport failure becomes the `MailSyncError` naming the server.
    func open(_ account: MailAccount, credential: MailCredential, logger: Logger) async throws(MailSyncError) -> IMAPClient {
        do {
            return try await IMAPClient.connect(to: account.imap, credential: credential, timeout: self.timeout, logger: logger)
        } catch {
            throw .imap(host: account.imap.host, error)
        }
    }

    private func syncFolders(
        _ account: MailAccount, client: IMAPClient, options: MailSyncOptions, report: inout MailSyncReport, logger: Logger
    ) async throws {
        let capabilities = await client.capabilities
        var qresync = false
        var condstore = capabilities.contains("CONDSTORE")
        do {
            if capabilities.contains("QRESYNC"), account.provider.trustsQResync {
                let enabled = try await client.enable(["QRESYNC"])
                qresync = enabled.contains("QRESYNC")
                condstore = condstore || qresync
            } else if condstore, capabilities.contains("ENABLE") {
                _ = try await client.enable(["CONDSTORE"])
            }
            let folders = try await client.listFolders()
            let chosen = FolderSelection.choose(from: folders, configured: account.syncFolders)
            if chosen.isEmpty { throw MailSyncError.incompleteAccount("none of the folders to sync exists on the server") }
            var states = try await self.store.folderState(account: account.id, as: account.owner)
            for choice in chosen where !states.contains(where: { $0.name == choice.name }) {
                _ = try await self.store.ensureFolder(account: account.id, name: choice.name, role: choice.role, as: account.owner)
                states = try await self.store.folderState(account: account.id, as: account.owner)
            }
            for choice in chosen {
                guard let state = states.first(where: { $0.name == choice.name }) else { continue }
                let folderSync = IMAPFolderSync(
                    client: client, store: self.store, account: account, folder: state, options: options, parser: self.parser,
                    qresync: qresync, condstore: condstore, logger: logger)
                do {
                    try await folderSync.run(into: &report)
                } catch let error as MailTransportError {
                    if case .connectionLost = error { throw MailSyncError.imap(host: account.imap.host, error) }
                    if case .timedOut = error { throw MailSyncError.imap(host: account.imap.host, error) }
                    report.errors.append(MailSyncErrorDetail(folder: choice.name, message: "\(error)"))
                }
            }
        } catch let error as MailTransportError {
            throw MailSyncError.imap(host: account.imap.host, error)
        }
    }
}
