import Foundation
import MailTransport

/// Why a mail sync, connect or send could not be done. Descriptions are one line for an
/// operator and never carry a password or token.
public enum MailSyncError: Error, Sendable, CustomStringConvertible {
    /// Not visible to the identity (another user's, another organization's) or gone.
    case accountNotFound(UUID)
    /// The account's provider is not reached over IMAP/SMTP.
    case unsupportedProvider(String)
    /// The account lacks a setting it needs.
    case incompleteAccount(String)
    /// The stored secret is missing (never stored, or the account was disconnected).
    case missingSecret
    /// The IMAP server refused or failed.
    case imap(host: String, MailTransportError)
    /// The SMTP server refused or failed.
    case smtp(host: String, MailTransportError)
    /// A message to reply to is not among the account's mail.
    case replyTargetNotFound(String)
    /// Input that cannot be sent (no recipient, a bad address).
    case invalidMessage(String)

    public var description: String {
        switch self {
        case .accountNotFound(let id): "no email account \(id.uuidString.lowercased()) for this user and organization"
        case .unsupportedProvider(let provider): "provider \(provider) is not synced over IMAP"
        case .incompleteAccount(let what): "the email account is incomplete: \(what)"
        case .missingSecret: "the email account has no stored password or token; connect it again"
        case .imap(let host, let error): "IMAP server \(host): \(Self.explain(error))"
        case .smtp(let host, let error): "SMTP server \(host): \(Self.explain(error))"
        case .replyTargetNotFound(let id): "no message \(id) in this account to reply to"
        case .invalidMessage(let why): "the message cannot be sent: \(why)"
        }
    }

    /// True when the person must reconnect the account (the password or token was refused).
    public var needsReauthorization: Bool {
        switch self {
        case .imap(_, .authenticationFailed), .smtp(_, .authenticationFailed), .missingSecret: true
        default: false
        }
    }

    private static func explain(_ error: MailTransportError) -> String {
        switch error {
        case .authenticationFailed(let detail): "login refused (wrong user name or password?): \(detail)"
        case .unreachable(let detail): "unreachable: \(detail)"
        case .certificate(let detail): "its TLS certificate is not trusted: \(detail)"
        case .notIMAP4rev1(let detail): "not an IMAP4rev1 server: \(detail)"
        default: "\(error)"
        }
    }
}
