import Foundation

extension ProviderEndpoints {
    /// Reads the endpoints from a dictionary shaped like the process environment (only the
    /// executable reads the real one):
    /// `CRMSYNC_SANDBOX_URL` points everything at a sandbox; then `CRMSYNC_GOOGLE_API_URL`,
    /// `CRMSYNC_GOOGLE_AUTH_URL`, `CRMSYNC_GOOGLE_TOKEN_URL`, `CRMSYNC_GOOGLE_REVOKE_URL`,
    /// `CRMSYNC_GOOGLE_USERINFO_URL`, `CRMSYNC_GMAIL_API_URL`, `CRMSYNC_GRAPH_URL`, `CRMSYNC_MICROSOFT_LOGIN_URL`,
    /// `CRMSYNC_MICROSOFT_AUTH_URL` (the browser's sign-in page only) and
    /// `CRMSYNC_MICROSOFT_TENANT` override single entries. Unset or empty means the default.
    /// Throws `ProviderError.invalidArgument` naming the variable whose value is not a URL.
    public static func fromEnvironment(_ environment: [String: String]) throws(ProviderError) -> ProviderEndpoints {
        func url(_ name: String) throws(ProviderError) -> URL? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            guard let url = URL(string: value), let scheme = url.scheme, scheme == "http" || scheme == "https", url.host != nil else {
                throw .invalidArgument("\(name) is not an http(s) URL")
            }
            return url
        }
        var endpoints = try url("CRMSYNC_SANDBOX_URL").map(ProviderEndpoints.sandbox) ?? ProviderEndpoints()
        if let value = try url("CRMSYNC_GOOGLE_API_URL") { endpoints.googleAPIBase = value }
        if let value = try url("CRMSYNC_GOOGLE_AUTH_URL") { endpoints.googleAuthURL = value }
        if let value = try url("CRMSYNC_GOOGLE_TOKEN_URL") { endpoints.googleTokenURL = value }
        if let value = try url("CRMSYNC_GOOGLE_REVOKE_URL") { endpoints.googleRevokeURL = value }
        if let value = try url("CRMSYNC_GOOGLE_USERINFO_URL") { endpoints.googleUserInfoURL = value }
        if let value = try url("CRMSYNC_GMAIL_API_URL") { endpoints.gmailAPIBase = value }
        if let value = try url("CRMSYNC_GRAPH_URL") { endpoints.graphBase = value }
        if let value = try url("CRMSYNC_MICROSOFT_LOGIN_URL") { endpoints.microsoftLoginBase = value }
        if let value = try url("CRMSYNC_MICROSOFT_AUTH_URL") { endpoints.microsoftAuthorizeOverride = value }
        if let tenant = environment["CRMSYNC_MICROSOFT_TENANT"], !tenant.isEmpty { endpoints.microsoftTenant = tenant }
        return endpoints
    }
}
