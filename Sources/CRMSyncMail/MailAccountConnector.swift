import CRMSyncDatabase
import Foundation
import Logging
import MailTransport

/// What a person gives to connect an iCloud or IMAP mailbox.
public struct MailConnectRequest: Sendable, CustomStringConvertible {
    public var provider: IMAPMailProvider
    public var email: String
    public var displayName: String?
    public var imap: MailServerEndpoint
    public var imapUsername: String
    public var smtp: MailServerEndpoint
    public var smtpUsername: String
    /// The (app-specific) password; never printed.
    public var password: String

    public init(
        provider: IMAPMailProvider, email: String, displayName: String? = nil, imap: MailServerEndpoint, imapUsername: String,
        smtp: MailServerEndpoint, smtpUsername: String, password: String
    ) {
        self.provider = provider
        self.email = email
        self.displayName = displayName
        self.imap = imap
        self.imapUsername = imapUsername
        self.smtp = smtp
        self.smtpUsername = smtpUsername
        self.password = password
    }

    public var description: String {
        "\(self.provider.rawValue) \(self.email) (IMAP \(self.imap.host):\(self.imap.port), SMTP \(self.smtp.host):\(self.smtp.port))"
    }
}

/// Connects a mailbox: logs in to its IMAP and SMTP servers first, and stores the account and
/// its encrypted password only when both accepted the login. A wrong password, an unreachable
/// host, an untrusted certificate or a server without IMAP4rev1 each end in one clear error,
/// and nothing is stored.
public struct MailAccountConnector: Sendable {
    public var database: TenantDatabase
    public var timeout: Duration
    public var logger: Logger

    public init(database: TenantDatabase, timeout: Duration = .seconds(30), logger: Logger = Logger(label: "crmsync.mail")) {
        self.database = database
        self.timeout = timeout
        self.logger = logger
    }

    /// Verifies the logins, then stores the account for `identity`; returns its id.
    public func connect(_ request: MailConnectRequest, as identity: Identity) async throws -> UUID {
        guard request.email.contains("@"), !request.password.isEmpty else {
            throw MailSyncError.incompleteAccount("an email address and a password are required")
        }
        try await self.verify(request)
        return try await EmailStore(database: self.database).connect(
            EmailAccountSettings(
                provider: request.provider.rawValue, email: request.email, displayName: request.displayName,
                imapHost: request.imap.host, imapPort: request.imap.port, imapUsername: request.imapUsername,
                imapUseTLS: request.imap.security == .implicitTLS, smtpHost: request.smtp.host, smtpPort: request.smtp.port,
                smtpUsername: request.smtpUsername, smtpUseStartTLS: request.smtp.security == .startTLS),
            secrets: EmailAccountSecrets(password: request.password), as: identity)
    }

    /// Logs in to both servers and out again.
    public func verify(_ request: MailConnectRequest) async throws(MailSyncError) {
        do {
            let client = try await IMAPClient.connect(
                to: request.imap, credential: .password(username: request.imapUsername, password: request.password),
                timeout: self.timeout, logger: self.logger)
            await client.logout()
        } catch {
            throw .imap(host: request.imap.host, error)
        }
        do {
            try await SMTPClient(
                endpoint: request.smtp, credential: .password(username: request.smtpUsername, password: request.password),
                timeout: self.timeout, logger: self.logger
            ).verify()
        } catch {
            throw .smtp(host: request.smtp.host, error)
        }
    }
}
