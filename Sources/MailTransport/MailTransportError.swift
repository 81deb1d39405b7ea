/// Why an IMAP or SMTP operation failed. Each case carries one human-readable line; none
/// ever contains a password or token.
public enum MailTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Wrong password, or the token was refused.
    case authenticationFailed(String)
    /// DNS failure, connection refused, or a timeout while connecting.
    case unreachable(String)
    /// TLS could not be established or the server's certificate was not trusted.
    case certificate(String)
    /// The server lacks IMAP4rev1 in its CAPABILITY.
    case notIMAP4rev1(String)
    /// A live connection stopped answering within the read timeout.
    case timedOut(String)
    /// The server closed the connection (or said BYE) in the middle of a command.
    case connectionLost(String)
    /// A tagged NO or BAD. `command` is the command name only (never its arguments).
    case commandFailed(command: String, response: String)
    /// A response that cannot be parsed.
    case protocolViolation(String)
    /// SMTP refused the sender, a recipient or the message.
    case rejected(String)

    public var description: String {
        switch self {
        case .authenticationFailed(let text): "authentication failed: \(text)"
        case .unreachable(let text): "mail server unreachable: \(text)"
        case .certificate(let text): "TLS failed: \(text)"
        case .notIMAP4rev1(let text): "not an IMAP4rev1 server: \(text)"
        case .timedOut(let text): "timed out: \(text)"
        case .connectionLost(let text): "connection lost: \(text)"
        case .commandFailed(let command, let response): "\(command) failed: \(response)"
        case .protocolViolation(let text): "unexpected server response: \(text)"
        case .rejected(let text): "message refused: \(text)"
        }
    }
}
