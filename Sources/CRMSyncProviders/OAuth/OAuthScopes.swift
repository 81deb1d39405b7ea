/// What crmsync does with an account, which decides the scopes it asks for.
public enum OAuthFeature: String, Sendable, Hashable, CaseIterable {
    /// Two-way calendar sync.
    case calendar
    /// Importing mail.
    case mailRead
    /// Sending mail.
    case mailSend

    /// The scopes for a set of features at a provider, identity scopes included (Google:
    /// `openid email`; Microsoft: `offline_access openid email User.Read`).
    public static func scopes(for features: Set<OAuthFeature>, provider: CalendarProviderKind) -> [String] {
        let ordered = OAuthFeature.allCases.filter(features.contains)
        switch provider {
        case .google:
            return ["openid", "email"] + ordered.map { feature in
                switch feature {
                case .calendar: "https://www.googleapis.com/auth/calendar.events"
                case .mailRead: "https://www.googleapis.com/auth/gmail.readonly"
                case .mailSend: "https://www.googleapis.com/auth/gmail.send"
                }
            }
        case .outlook:
            return ["offline_access", "openid", "email", "User.Read"] + ordered.map { feature in
                switch feature {
                case .calendar: "Calendars.ReadWrite"
                case .mailRead: "Mail.Read"
                case .mailSend: "Mail.Send"
                }
            }
        }
    }
}
