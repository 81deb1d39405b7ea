import ArgumentParser
import CRMSyncEngine
import CRMSyncProviders

/// The `--provider` word of `connect` and `oauth-client set`: `google`, or `microsoft` /
/// `outlook` (one provider; the calendar accounts say `outlook`, the OAuth registry
/// `microsoft`), so each command takes the other's word too.
enum ProviderArgument {
    /// The calendar provider a word names.
    static func calendarProvider(_ word: String) throws -> CalendarProviderKind {
        switch word.lowercased() {
        case "google": return .google
        case "microsoft", "outlook": return .outlook
        default: throw ValidationError("--provider must be google, microsoft or outlook (the last two are one provider)")
        }
    }

    /// The command that registers the OAuth client of a provider.
    static func registerCommand(_ provider: CalendarProviderKind, organization: String? = nil) -> String {
        "CRMSYNC_OAUTH_CLIENT_SECRET=<secret> crmsync oauth-client set --provider \(provider.oauthClientName) --client-id <client id>"
            + (organization.map { " [--org \($0)]" } ?? "")
    }
}
