import Foundation

/// What the request loop does with a non-2xx response.
enum ErrorDisposition: Sendable, Hashable {
    /// Retry after backoff (or the server's `Retry-After`).
    case retry(retryAfter: Duration?)
    /// Refresh the access token and try once more.
    case refreshToken
    /// Give up with this error.
    case fail(ProviderError)
}

/// What the failed request was doing, which decides how 404/410 read.
enum RequestContext: Sendable, Hashable {
    /// Listing from a cursor or continuation: a 410 means the cursor expired.
    case listing
    /// Reading or writing one target: 404/410 mean it is gone.
    case target
    /// An OAuth token or revocation endpoint.
    case oauth
}

/// The error mapping table, one place for both providers and OAuth.
enum ErrorClassifier {
    static let cursorExpiredReasons: Set<String> = ["fullSyncRequired", "syncStateNotFound", "resyncRequired"]
    static let rateLimitReasons: Set<String> = ["rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"]
    static let deadGrantErrors: Set<String> = ["invalid_grant", "invalid_scope"]
    static let deadGrantAADSTS: Set<Int> = [70008, 700082, 50173]
    /// The OAuth client (its id, secret or registration) refused: the operator's to fix.
    static let clientErrors: Set<String> = ["invalid_client", "unauthorized_client"]
    /// AADSTS7000215 invalid secret, 7000222 expired secret, 700016 unknown application,
    /// 7000218 no secret or assertion sent.
    static let clientAADSTS: Set<Int> = [7000215, 7000222, 700016, 7000218]
    static let retryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    static func classify(status: Int, body: Data, retryAfter: Duration?, context: RequestContext) -> ErrorDisposition {
        let parsed = ProviderErrorBody(data: body)
        if let oauthError = parsed.oauthError, self.clientErrors.contains(oauthError)
            || !Set(parsed.aadstsCodes).isDisjoint(with: self.clientAADSTS) {
            let codes = parsed.aadstsCodes.filter { self.clientAADSTS.contains($0) }
            return .fail(.clientRejected(reason: oauthError + (codes.first.map { " (AADSTS\($0))" } ?? "")))
        }
        if let oauthError = parsed.oauthError, self.deadGrantErrors.contains(oauthError)
            || !Set(parsed.aadstsCodes).isDisjoint(with: self.deadGrantAADSTS) {
            let codes = parsed.aadstsCodes.filter { self.deadGrantAADSTS.contains($0) }
            return .fail(.reconnectRequired(reason: oauthError + (codes.first.map { " (AADSTS\($0))" } ?? "")))
        }
        if parsed.hasReason(in: self.cursorExpiredReasons) && (status == 410 || status == 400) {
            return .fail(.cursorExpired)
        }
        switch status {
        case 401 where context != .oauth:
            return .refreshToken
        case 403 where parsed.hasReason(in: self.rateLimitReasons):
            return .retry(retryAfter: retryAfter)
        case 404:
            return .fail(.gone)
        case 410:
            return .fail(context == .listing ? .cursorExpired : .gone)
        case 412:
            return .fail(.conflict)
        case let code where self.retryableStatuses.contains(code):
            return .retry(retryAfter: retryAfter)
        default:
            return .fail(.rejected(status: status, reason: parsed.primaryReason, message: parsed.message))
        }
    }
}
