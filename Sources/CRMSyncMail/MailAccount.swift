import CRMSyncDatabase
import Foundation
import MailTransport

/// An IMAP/SMTP account as a sync or send run needs it.
struct MailAccount: Sendable {
    var id: UUID
    var owner: Identity
    var provider: IMAPMailProvider
    var email: String
    var displayName: String?
    var imap: MailServerEndpoint
    var imapUsername: String
    var smtp: MailServerEndpoint
    var smtpUsername: String
    /// Folder names to sync; nil = INBOX and Sent.
    var syncFolders: [String]?

    init(_ account: EmailStore.Account, trust: MailTrust) throws(MailSyncError) {
        let stored = account.settings
        guard let provider = IMAPMailProvider(rawValue: stored.provider) else {
            throw .unsupportedProvider(stored.provider)
        }
        guard let imapHost = stored.imapHost, let imapPort = stored.imapPort, let imapUsername = stored.imapUsername else {
            throw .incompleteAccount("IMAP host, port and user name are required")
        }
        guard let smtpHost = stored.smtpHost, let smtpPort = stored.smtpPort else {
            throw .incompleteAccount("SMTP host and port are required")
        }
        self.id = account.id
        self.owner = account.owner
        self.provider = provider
        self.email = stored.email
        self.displayName = stored.displayName
        self.imap = MailServerEndpoint(
            host: imapHost, port: imapPort, security: stored.imapUseTLS ? .implicitTLS : .startTLS,
            caCertificateFile: trust.caCertificateFile)
        self.imapUsername = imapUsername
        self.smtp = MailServerEndpoint(
            host: smtpHost, port: smtpPort, security: stored.smtpUseStartTLS ? .startTLS : .implicitTLS,
            caCertificateFile: trust.caCertificateFile)
        // iCloud's SMTP wants the full address where its IMAP takes the name part.
        self.smtpUsername = stored.smtpUsername ?? stored.email
        self.syncFolders = account.syncFolders
    }

    func imapCredential(_ secrets: EmailAccountSecrets) throws(MailSyncError) -> MailCredential {
        if let password = secrets.password { return .password(username: self.imapUsername, password: password) }
        if let token = secrets.accessToken { return .xoauth2(username: self.imapUsername, accessToken: token) }
        throw .missingSecret
    }

    func smtpCredential(_ secrets: EmailAccountSecrets) throws(MailSyncError) -> MailCredential {
        if let password = secrets.password { return .password(username: self.smtpUsername, password: password) }
        if let token = secrets.accessToken { return .xoauth2(username: self.smtpUsername, accessToken: token) }
        throw .missingSecret
    }
}

/// Which certificates the mail servers' TLS is checked against.
public struct MailTrust: Sendable, Equatable {
    /// A PEM file of CAs to trust instead of the system's (`CRMSYNC_MAIL_CA_FILE`); nil = system CAs.
    public var caCertificateFile: String?

    public init(caCertificateFile: String? = nil) {
        self.caCertificateFile = caCertificateFile
    }

    /// From `CRMSYNC_MAIL_CA_FILE`.
    public static func fromEnvironment(_ environment: [String: String]) -> MailTrust {
        MailTrust(caCertificateFile: environment["CRMSYNC_MAIL_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 })
    }
}
