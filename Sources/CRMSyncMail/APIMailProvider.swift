import CRMSyncProviders

/// The mail providers reached through their HTTP APIs, as `email_accounts.provider` stores them.
public enum APIMailProvider: String, Sendable, CaseIterable {
    /// Gmail through the Gmail API.
    case gmail
    /// Outlook and Microsoft 365 through Microsoft Graph.
    case outlook

    /// Whose OAuth the account's tokens come from.
    public var oauthProvider: CalendarProviderKind {
        switch self {
        case .gmail: .google
        case .outlook: .outlook
        }
    }

    /// The OAuth client registry's name for the provider (`oauth_clients.provider`).
    var oauthClientName: String {
        switch self {
        case .gmail: "google"
        case .outlook: "microsoft"
        }
    }

    /// What is synced when the account names nothing: Gmail's INBOX and SENT labels, Graph's
    /// Inbox and Sent Items folders (well-known names).
    var defaultFolders: [String] {
        switch self {
        case .gmail: ["INBOX", "SENT"]
        case .outlook: ["inbox", "sentitems"]
        }
    }

    /// The scopes a mail account asks for: read and send.
    public var scopes: [String] {
        OAuthFeature.scopes(for: [.mailRead, .mailSend], provider: self.oauthProvider)
    }
}
