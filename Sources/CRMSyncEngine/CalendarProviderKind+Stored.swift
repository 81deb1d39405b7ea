import CRMSyncProviders

/// The one place provider names meet: what the database stores and what Swift calls them.
extension CalendarProviderKind {
    /// The name `calendar_accounts.provider`, connect states and push channels store
    /// (`google`, `outlook`).
    public var storedName: String { self.rawValue }

    /// The provider of a stored `calendar_accounts.provider`; nil for a name crmsync does not sync.
    public init?(storedName: String) {
        self.init(rawValue: storedName)
    }

    /// The name the OAuth client registry (`oauth_clients.provider`), the webhook paths and
    /// the metrics use (`google`, `microsoft`): one Microsoft app serves Graph.
    public var oauthClientName: String {
        switch self {
        case .google: "google"
        case .outlook: "microsoft"
        }
    }

    /// The provider of an OAuth client registration name (`google`, `microsoft`).
    public init?(oauthClientName: String) {
        switch oauthClientName {
        case "google": self = .google
        case "microsoft": self = .outlook
        default: return nil
        }
    }
}
