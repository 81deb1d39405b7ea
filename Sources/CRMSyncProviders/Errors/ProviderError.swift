/// Everything a provider client can fail with. Callers never see raw HTTP.
///
/// `description` is safe to log and show: it never contains a token, a code, a secret or the
/// provider's message text; `debugDescription` adds the provider's message.
public enum ProviderError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The stored sync cursor is no longer valid: drop it and run a full listing.
    case cursorExpired
    /// The event changed since the etag sent in `If-Match` (412).
    case conflict
    /// The target (event, channel, subscription, calendar) does not exist or was deleted (404/410).
    case gone
    /// The provider refused the token even after one refresh.
    case unauthorized
    /// The grant is dead (`invalid_grant`, `invalid_scope`, AADSTS70008/700082/50173…): the
    /// user must connect the account again. `reason` is the OAuth error code, with the AADSTS
    /// number when Microsoft gave one.
    case reconnectRequired(reason: String)
    /// The provider refused crmsync's OAuth client itself (`invalid_client`,
    /// `unauthorized_client`; AADSTS7000215 wrong or AADSTS7000222 expired secret…): the
    /// operator's problem, not the user's. Every account of that client fails alike until an
    /// operator registers a working one (`crmsync oauth-client set`); connecting again would
    /// fail the same way. `reason` as for `reconnectRequired`.
    case clientRejected(reason: String)
    /// Rate-limited or unavailable, and retries within the budget did not help. Try later,
    /// no sooner than `retryAfter` when the provider said so.
    case temporary(retryAfter: Duration?)
    /// Any other refusal (4xx), not retried. `reason` is the provider's error reason or code.
    case rejected(status: Int, reason: String?, message: String?)
    /// A failure below HTTP that is not worth retrying.
    case transport(TransportError)
    /// The provider answered something this client cannot read.
    case invalidResponse(String)
    /// The call itself was invalid (for example a continuation URL for another host).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .cursorExpired: "sync cursor expired; a full sync is required"
        case .conflict: "the event was changed by someone else (precondition failed)"
        case .gone: "the target no longer exists"
        case .unauthorized: "the provider refused the access token"
        case .reconnectRequired(let reason): "the account must be reconnected (\(reason))"
        case .clientRejected(let reason):
            "the provider refused crmsync's OAuth client (\(reason)); an operator must register a valid one with crmsync oauth-client set"
        case .temporary(let retryAfter):
            "the provider is temporarily unavailable" + (retryAfter.map { "; retry after \($0.seconds) s" } ?? "")
        case .rejected(let status, let reason, _): "the provider rejected the request (HTTP \(status)\(reason.map { ", \($0)" } ?? ""))"
        case .transport(let error): "transport failure: \(error)"
        case .invalidResponse(let what): "unreadable provider response: \(what)"
        case .invalidArgument(let what): "invalid request: \(what)"
        }
    }

    public var debugDescription: String {
        if case .rejected(_, _, let message?) = self {
            return self.description + ": " + message
        }
        return self.description
    }

    /// True when a later attempt may succeed without any change (temporary and transport).
    public var isTransient: Bool {
        switch self {
        case .temporary, .transport: true
        default: false
        }
    }
}
