import CRMSyncDatabase
import CRMSyncProviders
import Foundation
import Hummingbird

/// `POST /v1/calendar/accounts/connect`: starts the browser OAuth flow for the caller.
///
/// A fresh `state` and PKCE pair are made here; the database keeps only the state's sha256 and
/// the verifier encrypted, bound to the caller and the active organization for 10 minutes
/// (sql/250). The answer is the provider's authorization URL for the CRM to open.
struct ConnectRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on group: RouterGroup<ServerRequestContext>) {
        group.post("calendar/accounts/connect", use: self.start)
    }

    struct ConnectRequest: JSONRequestBody {
        static let fields: Set<String> = ["provider", "calendar_id", "login_hint"]
        var provider: CalendarProviderKind
        var calendarID: String?
        var loginHint: String?

        enum CodingKeys: String, CodingKey {
            case provider
            case calendarID = "calendar_id"
            case loginHint = "login_hint"
        }
    }

    struct ConnectStarted: Encodable {
        var authorizationURL: URL
        var expiresAt: Date

        enum CodingKeys: String, CodingKey {
            case authorizationURL = "authorization_url"
            case expiresAt = "expires_at"
        }
    }

    @Sendable func start(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSONBody(ConnectRequest.self, maxBytes: self.dependencies.configuration.maxBodyBytes)
        if let calendarID = body.calendarID, !FieldRules.isCalendarID(calendarID) {
            throw APIError.badRequest("invalid_field", "calendar_id must be 1 to 1024 characters")
        }
        let calendarID = body.calendarID?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let hint = body.loginHint, !FieldRules.isLoginHint(hint) {
            throw APIError.badRequest("invalid_field", "login_hint must be at most 320 printable characters")
        }

        let oauth = try await OAuthClients(dependencies: self.dependencies).client(for: body.provider, identity: identity)
        let state = OAuthClient.randomState()
        let pkce = PKCE.generate()
        let started: OAuthConnectStates.Started
        do {
            started = try await OAuthConnectStates(database: self.dependencies.database).begin(
                identity, provider: body.provider.rawValue, state: state, codeVerifier: pkce.verifier, calendarID: calendarID)
        } catch DatabaseError.limitExceeded {
            throw APIError(.tooManyRequests, code: "too_many_connect_attempts",
                           message: "too many connect attempts are in progress; finish one or wait 10 minutes")
        }
        let authorization = oauth.authorizationRequest(
            redirectURI: self.dependencies.configuration.callbackURL(provider: body.provider.rawValue),
            scopes: OAuthFeature.scopes(for: [.calendar], provider: body.provider),
            loginHint: body.loginHint, state: state, pkce: pkce)
        context.logger.info(
            "connect started",
            metadata: ["provider": .string(body.provider.rawValue), "connect_state": .string(started.id.uuidString.lowercased())])
        return try JSONCoding.response(
            ConnectStarted(authorizationURL: authorization.url, expiresAt: started.expiresAt), status: .created)
    }
}
