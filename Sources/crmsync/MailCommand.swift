import ArgumentParser
import CRMSyncDatabase
import CRMSyncMail
import CRMSyncProviders
import CRMSyncServer
import Foundation
import Logging
import MailTransport
import PostgresClient

/// `crmsync mail`: connect, sync and send mail of Gmail, Outlook, iCloud and IMAP mailboxes.
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Connect a mailbox, import its mail, send mail from it.",
        subcommands: [MailConnectCommand.self, MailSyncCommand.self, MailSendCommand.self])
}

/// The account's owner, given or looked up; shared by the mail commands.
struct MailOwnerOptions: ParsableArguments {
    @Option(help: "The CRM user (uuid); looked up from the account when left out.")
    var user: String?

    @Option(help: "The organization (uuid); looked up from the account when left out.")
    var org: String?

    func owner(of account: UUID, options: GlobalOptions) async throws -> Identity {
        switch (self.user, self.org) {
        case (let user?, let org?):
            guard let user = UUID(uuidString: user), let org = UUID(uuidString: org) else {
                throw ValidationError("--user and --org must be uuids")
            }
            return Identity(userID: user, organizationID: org)
        case (nil, nil):
            let owner = try await options.withAdminConnection { connection in
                try await EmailStore.owner(of: account, on: connection)
            }
            guard let owner else { throw ValidationError("no email account \(account.uuidString.lowercased())") }
            return owner
        default:
            throw ValidationError("give both --user and --org, or neither")
        }
    }
}

extension GlobalOptions {
    /// The service's database as the mail commands use it.
    func tenantDatabase(connections: Int = 2) throws -> TenantDatabase {
        TenantDatabase(
            pool: PostgresPool(configuration: try self.databaseSettings.app, maxConnections: connections),
            secretKey: try self.requiredSecretKey())
    }

    /// Gmail and Graph as the environment places them (the sandbox with `CRMSYNC_SANDBOX_URL`).
    func mailAPIAccess(database: TenantDatabase, logger: Logger) throws -> MailAPIAccess {
        // Outlook mailboxes are subscribed where `serve` receives Graph's notifications.
        let webhookBase = [self.environment["CRMSYNC_WEBHOOK_URL"], self.environment["CRMSYNC_PUBLIC_URL"]]
            .compactMap { $0 }.first { !$0.isEmpty }.flatMap(URL.init(string:))
        return MailAPIAccess(
            database: database, endpoints: try ProviderEndpoints.fromEnvironment(self.environment),
            gmailPushTopic: self.environment["CRMSYNC_GMAIL_PUSH_TOPIC"].flatMap { $0.isEmpty ? nil : $0 },
            graphNotificationURL: webhookBase.map { ServerConfiguration.webhookURL(base: $0, provider: "microsoft") }, logger: logger)
    }
}

/// `crmsync mail connect`.
struct MailConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Connect a mailbox: Gmail or Outlook through OAuth in a browser; iCloud or IMAP by logging in to its servers.",
        discussion: """
            Gmail and Outlook (--provider gmail|outlook): prints the authorization URL and waits for the provider to \
            redirect to a one-shot listener on 127.0.0.1, as `crmsync connect` does, asking to read and send mail; \
            the address is the one the provider reports (--email only suggests it on the sign-in page). \
            iCloud and IMAP: the password is read from the environment variable named by --password-env, else from the first \
            line of standard input; never from the command line. For iCloud use an app-specific password \
            (appleid.apple.com); the hosts are preset. Nothing is stored unless both servers accept the login. \
            CRMSYNC_MAIL_CA_FILE names a PEM file of CAs to trust instead of the system's (test servers).
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "gmail, outlook (also microsoft), apple (iCloud Mail) or imap.")
    var provider: String

    @Option(help: "The CRM user (uuid) who owns the mailbox.")
    var user: String

    @Option(help: "The organization (uuid) the mailbox belongs to.")
    var org: String

    @Option(help: "The mailbox's address (required for apple and imap; a sign-in hint for gmail and outlook).")
    var email: String?

    @Option(help: "Seconds to wait for the OAuth authorization (gmail, outlook).")
    var timeout: Int = 300

    @Option(help: "The name shown on mail sent from the CRM.")
    var displayName: String?

    @Option(help: "IMAP user name (default: the address; iCloud: the part before @).")
    var username: String?

    @Option(help: "SMTP user name (default: the address).")
    var smtpUsername: String?

    @Option(help: "IMAP server (imap only).")
    var imapHost: String?

    @Option(help: "IMAP port (default 993 with tls, 143 with starttls).")
    var imapPort: Int?

    @Option(help: "IMAP security: tls (implicit) or starttls.")
    var imapSecurity: String = "tls"

    @Option(help: "SMTP server (imap only).")
    var smtpHost: String?

    @Option(help: "SMTP port (default 587 with starttls, 465 with tls).")
    var smtpPort: Int?

    @Option(help: "SMTP security: starttls or tls (implicit).")
    var smtpSecurity: String = "starttls"

    @Option(help: "The environment variable holding the password (else standard input).")
    var passwordEnv: String?

    func run() async throws {
        try await reportingErrors {
            guard let user = UUID(uuidString: self.user), let org = UUID(uuidString: self.org) else {
                throw ValidationError("--user and --org must be uuids")
            }
            let name = self.provider.lowercased() == "microsoft" ? "outlook" : self.provider.lowercased()
            if let provider = APIMailProvider(rawValue: name) {
                let connect = MailOAuthConnect(options: self.options, provider: provider, loginHint: self.email, timeout: self.timeout)
                let (id, email) = try await connect.run(as: Identity(userID: user, organizationID: org))
                print("connected \(email): account \(id.uuidString.lowercased())")
                return
            }
            guard let provider = IMAPMailProvider(rawValue: name) else {
                throw ValidationError("--provider must be gmail, outlook, apple or imap")
            }
            guard let email = self.email, !email.isEmpty else { throw ValidationError("--email is required for --provider \(name)") }
            let trust = MailTrust.fromEnvironment(self.options.environment)
            let imap: MailServerEndpoint
            let smtp: MailServerEndpoint
            if let preset = provider.preset {
                imap = MailServerEndpoint(host: preset.imap.host, port: preset.imap.port, security: preset.imap.security, caCertificateFile: trust.caCertificateFile)
                smtp = MailServerEndpoint(host: preset.smtp.host, port: preset.smtp.port, security: preset.smtp.security, caCertificateFile: trust.caCertificateFile)
            } else {
                guard let imapHost = self.imapHost, let smtpHost = self.smtpHost else {
                    throw ValidationError("--imap-host and --smtp-host are required for --provider imap")
                }
                let imapSecurity = try Self.security(self.imapSecurity, option: "--imap-security")
                let smtpSecurity = try Self.security(self.smtpSecurity, option: "--smtp-security")
                imap = MailServerEndpoint(
                    host: imapHost, port: self.imapPort ?? (imapSecurity == .implicitTLS ? 993 : 143), security: imapSecurity,
                    caCertificateFile: trust.caCertificateFile)
                smtp = MailServerEndpoint(
                    host: smtpHost, port: self.smtpPort ?? (smtpSecurity == .implicitTLS ? 465 : 587), security: smtpSecurity,
                    caCertificateFile: trust.caCertificateFile)
            }
            let defaultUsername = provider == .apple ? String(email.split(separator: "@").first ?? "") : email
            let request = MailConnectRequest(
                provider: provider, email: email, displayName: self.displayName, imap: imap,
                imapUsername: self.username ?? defaultUsername, smtp: smtp, smtpUsername: self.smtpUsername ?? email,
                password: try self.password())
            let connector = MailAccountConnector(database: try self.options.tenantDatabase(connections: 1), logger: self.options.logger("crmsync.mail"))
            let id = try await connector.connect(request, as: Identity(userID: user, organizationID: org))
            print("connected \(email): account \(id.uuidString.lowercased())")
        }
    }

    static func security(_ value: String, option: String) throws -> MailServerEndpoint.Security {
        switch value.lowercased() {
        case "tls", "ssl", "implicit": return .implicitTLS
        case "starttls": return .startTLS
        default: throw ValidationError("\(option) must be tls or starttls (plain text is not offered)")
        }
    }

    private func password() throws -> String {
        if let name = self.passwordEnv {
            guard let value = self.options.environment[name], !value.isEmpty else {
                throw ValidationError("the environment variable \(name) is not set")
            }
            return value
        }
        if isatty(STDIN_FILENO) == 1 {
            FileHandle.standardError.write(Data("password: ".utf8))
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("no password on standard input (or give --password-env NAME)")
        }
        return line
    }
}

/// `crmsync mail sync`.
struct MailSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Import one mailbox's new mail, flag changes and deletions now, then send its outbox.",
        discussion: "Exits non-zero when the run failed; a partial run (a folder failed) exits 0 and lists what failed.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var owner: MailOwnerOptions

    @Option(help: "The email account (uuid).")
    var account: String

    @Flag(help: "Rescan every folder from its first message (rows are matched, never duplicated).")
    var full = false

    @Option(help: "Seconds after which a send left unfinished (a crashed sender) is checked against Sent and retried.")
    var resendAfter: Int = 300

    func run() async throws {
        try await reportingErrors {
            guard let account = UUID(uuidString: self.account) else { throw ValidationError("--account must be a uuid") }
            let owner = try await self.owner.owner(of: account, options: self.options)
            let database = try self.options.tenantDatabase()
            let trust = MailTrust.fromEnvironment(self.options.environment)
            let logger = self.options.logger("crmsync.mail")
            let display = MailProgressDisplay(terminal: isatty(STDOUT_FILENO) == 1)
            let api = try self.options.mailAPIAccess(database: database, logger: logger)
            let engine = MailSyncEngine(database: database, trust: trust, api: api, logger: logger)
            let report = try await engine.sync(
                account: account, as: owner, options: MailSyncOptions(trigger: .manual, full: self.full) { display.show($0) })
            display.finish(report)
            guard self.resendAfter > 0 else { throw ValidationError("--resend-after must be positive") }
            let sender = OutboxSender(database: database, trust: trust, staleAfter: .seconds(self.resendAfter), api: api, logger: logger)
            let sent = try await sender.sendPending(account: account, as: owner)
            for outcome in sent { display.show(outcome) }
            if report.status == .failed { throw ExitCode.failure }
        }
    }
}

/// `crmsync mail send`.
struct MailSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a message from a connected mailbox (through the outbox: exactly once).",
        discussion: """
            The body is read from --body-file, else from standard input. With --reply-to (a Message-ID or the \
            message's uuid) the message threads as a reply: In-Reply-To, References and "Re: " the subject \
            unless --subject is given. The message is queued first with its Message-ID fixed, then sent; a \
            failed attempt stays queued and the worker retries it, checking the Sent folder first.
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var owner: MailOwnerOptions

    @Option(help: "The email account (uuid) to send from.")
    var account: String

    @Option(help: "A recipient (repeatable).")
    var to: [String] = []

    @Option(help: "A copy recipient (repeatable).")
    var cc: [String] = []

    @Option(help: "A blind copy recipient (repeatable).")
    var bcc: [String] = []

    @Option(help: "The subject (replies: \"Re: \" the parent's by default).")
    var subject: String?

    @Option(help: "A file holding the text body (else standard input).")
    var bodyFile: String?

    @Option(help: "The message replied to: its Message-ID or uuid.")
    var replyTo: String?

    func run() async throws {
        try await reportingErrors {
            guard let account = UUID(uuidString: self.account) else { throw ValidationError("--account must be a uuid") }
            guard self.replyTo != nil || self.subject != nil else { throw ValidationError("give --subject (or --reply-to)") }
            let body: String
            if let path = self.bodyFile {
                guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
                body = String(decoding: data, as: UTF8.self)
            } else {
                body = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            }
            let owner = try await self.owner.owner(of: account, options: self.options)
            let database = try self.options.tenantDatabase()
            let queued = try await MailOutbox(database: database).queue(
                OutgoingMail(to: self.to, cc: self.cc, bcc: self.bcc, subject: self.subject, text: body, replyTo: self.replyTo),
                from: account, as: owner)
            print("queued <\(queued.messageID)>")
            let logger = self.options.logger("crmsync.mail")
            let sender = OutboxSender(
                database: database, trust: MailTrust.fromEnvironment(self.options.environment),
                api: try self.options.mailAPIAccess(database: database, logger: logger), logger: logger)
            let outcomes = try await sender.sendPending(account: account, as: owner)
            let display = MailProgressDisplay(terminal: false)
            for outcome in outcomes { display.show(outcome) }
            if let mine = outcomes.first(where: { $0.outboxID == queued.outboxID }), mine.result == .failed {
                throw ExitCode.failure
            }
        }
    }
}
