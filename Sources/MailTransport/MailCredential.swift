/// How to log in to a mail server. The secret never appears in `description`, and the
/// transport scrubs it from every error text it builds.
public enum MailCredential: Sendable, CustomStringConvertible {
    case password(username: String, password: String)
    /// SASL XOAUTH2 (Gmail, Outlook): an OAuth 2.0 access token for the mail scope.
    case xoauth2(username: String, accessToken: String)

    public var username: String {
        switch self {
        case .password(let username, _), .xoauth2(let username, _): username
        }
    }

    public var description: String {
        switch self {
        case .password(let username, _): "password login for \(username) (password hidden)"
        case .xoauth2(let username, _): "XOAUTH2 login for \(username) (token hidden)"
        }
    }

    /// The secret itself, only for handing to libcurl and for scrubbing texts.
    var secret: String {
        switch self {
        case .password(_, let password): password
        case .xoauth2(_, let token): token
        }
    }

    /// `text` with every occurrence of the secret replaced by `****` (a server or libcurl
    /// message should never echo it, but a leak through an error text is not worth the risk).
    func scrub(_ text: String) -> String {
        let secret = self.secret
        guard !secret.isEmpty, text.contains(secret) else { return text }
        return text.replacingOccurrences(of: secret, with: "****")
    }
}
