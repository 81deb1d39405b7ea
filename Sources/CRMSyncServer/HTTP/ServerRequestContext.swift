import CRMSyncDatabase
import Hummingbird
import Logging

/// What one request carries through the middleware into its handler.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Echoed in `X-Request-Id` and attached to every log line of the request.
    public var requestID: String = ""
    /// The caller, once `BearerAuthMiddleware` has verified the token and the organization
    /// header; `nil` on routes that need no caller (webhooks, OAuth callback, operations).
    public var identity: Identity?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// The caller on an authenticated route; a handler behind `BearerAuthMiddleware` always has one.
    public func requireIdentity() throws(APIError) -> Identity {
        guard let identity = self.identity else { throw APIError.unauthenticated("no verified caller") }
        return identity
    }
}
