import Foundation

extension OAuthClient {
    /// The address of the account that just granted `tokens`, as the provider reports it
    /// (Google: the calendar owner; Graph: `/me`). Used to name a newly connected account.
    public func accountEmail(tokens: TokenSet) async throws(ProviderError) -> String {
        let token = StaticAccessToken(tokens.accessToken)
        switch self.provider {
        case .google:
            return try await GoogleCalendarClient(endpoints: self.endpoints, tokens: token, http: self.http).accountEmail()
        case .outlook:
            return try await GraphCalendarClient(endpoints: self.endpoints, tokens: token, http: self.http).accountEmail()
        }
    }
}
