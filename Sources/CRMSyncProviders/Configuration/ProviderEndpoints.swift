import Foundation

/// The base URLs of every provider endpoint the clients call. The defaults are the real hosts;
/// `sandbox(_:)` points them all at a local `ProviderSandbox`.
public struct ProviderEndpoints: Sendable, Hashable {
    /// Google Calendar API. Default `https://www.googleapis.com/calendar/v3`.
    public var googleAPIBase: URL
    /// Google's authorization endpoint. Default `https://accounts.google.com/o/oauth2/v2/auth`.
    public var googleAuthURL: URL
    /// Google's token endpoint. Default `https://oauth2.googleapis.com/token`.
    public var googleTokenURL: URL
    /// Google's revocation endpoint. Default `https://oauth2.googleapis.com/revoke`.
    public var googleRevokeURL: URL
    /// Google's OpenID userinfo endpoint. Default `https://openidconnect.googleapis.com/v1/userinfo`.
    public var googleUserInfoURL: URL
    /// Gmail API. Default `https://gmail.googleapis.com/gmail/v1`.
    public var gmailAPIBase = URL(string: "https://gmail.googleapis.com/gmail/v1")!
    /// Microsoft Graph. Default `https://graph.microsoft.com/v1.0`.
    public var graphBase: URL
    /// The Microsoft identity platform host. Default `https://login.microsoftonline.com`.
    public var microsoftLoginBase: URL
    /// The Microsoft tenant: `common` (default), `organizations`, `consumers` or a tenant id.
    public var microsoftTenant: String
    /// Where the browser signs in, when it reaches the identity platform by another address than
    /// the service does (docker compose: `localhost:8099` for the browser, `sandbox:8099` for
    /// the service). Nil: derived from `microsoftLoginBase`.
    public var microsoftAuthorizeOverride: URL?

    /// The real providers.
    public init(
        googleAPIBase: URL = URL(string: "https://www.googleapis.com/calendar/v3")!,
        googleAuthURL: URL = URL(string: "https://accounts.google.com/o/oauth2/v2/auth")!,
        googleTokenURL: URL = URL(string: "https://oauth2.googleapis.com/token")!,
        googleRevokeURL: URL = URL(string: "https://oauth2.googleapis.com/revoke")!,
        googleUserInfoURL: URL = URL(string: "https://openidconnect.googleapis.com/v1/userinfo")!,
        graphBase: URL = URL(string: "https://graph.microsoft.com/v1.0")!,
        microsoftLoginBase: URL = URL(string: "https://login.microsoftonline.com")!,
        microsoftTenant: String = "common"
    ) {
        self.googleAPIBase = googleAPIBase
        self.googleAuthURL = googleAuthURL
        self.googleTokenURL = googleTokenURL
        self.googleRevokeURL = googleRevokeURL
        self.googleUserInfoURL = googleUserInfoURL
        self.graphBase = graphBase
        self.microsoftLoginBase = microsoftLoginBase
        self.microsoftTenant = microsoftTenant
    }

    /// Every endpoint at one sandbox origin, at the paths the real hosts use.
    public static func sandbox(_ base: URL) -> ProviderEndpoints {
        var endpoints = ProviderEndpoints(
            googleAPIBase: base.appending(path: "calendar/v3"),
            googleAuthURL: base.appending(path: "o/oauth2/v2/auth"),
            googleTokenURL: base.appending(path: "token"),
            googleRevokeURL: base.appending(path: "revoke"),
            googleUserInfoURL: base.appending(path: "oauth2/v3/userinfo"),
            graphBase: base.appending(path: "v1.0"),
            microsoftLoginBase: base
        )
        endpoints.gmailAPIBase = base.appending(path: "gmail/v1")
        return endpoints
    }

    /// Microsoft's authorization endpoint for the tenant.
    public var microsoftAuthorizeURL: URL {
        self.microsoftAuthorizeOverride
            ?? self.microsoftLoginBase.appending(path: "\(self.microsoftTenant)/oauth2/v2.0/authorize")
    }

    /// Microsoft's token endpoint for the tenant.
    public var microsoftTokenURL: URL {
        self.microsoftLoginBase.appending(path: "\(self.microsoftTenant)/oauth2/v2.0/token")
    }
}
