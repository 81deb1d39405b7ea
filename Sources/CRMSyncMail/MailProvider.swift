import MailTransport

/// The mail providers reached over IMAP and SMTP, as `email_accounts.provider` stores them.
public enum IMAPMailProvider: String, Sendable, CaseIterable {
    /// Apple iCloud Mail: fixed hosts, app-specific passwords, no OAuth.
    case apple
    /// Any IMAP4rev1 server with SMTP submission.
    case imap

    /// iCloud announces QRESYNC but answers it wrongly (no `* ENABLED`, bad VANISHED): CONDSTORE
    /// plus a UID diff is used there instead (Mailspring-Sync#91, MailKit#1871).
    var trustsQResync: Bool { self != .apple }

    /// The servers a provider fixes; nil where the person names them.
    public var preset: MailServerPreset? {
        switch self {
        case .apple:
            // support.apple.com/102525
            return MailServerPreset(
                imap: MailServerEndpoint(host: "imap.mail.me.com", port: 993, security: .implicitTLS),
                smtp: MailServerEndpoint(host: "smtp.mail.me.com", port: 587, security: .startTLS))
        case .imap:
            return nil
        }
    }
}

/// The IMAP and SMTP servers of a provider that fixes them.
public struct MailServerPreset: Sendable, Equatable {
    public var imap: MailServerEndpoint
    public var smtp: MailServerEndpoint
}
