import CRMSyncDatabase
import CRMSyncMail
import CRMSyncProviders
import Foundation
import Hummingbird

/// `POST /v1/mail/accounts/connect`: starts the browser OAuth flow of a Gmail or Outlook mailbox
/// for the caller, asking for the mail scopes (Gmail read and send; Graph `Mail.Read`,
/// `Mail.Send`, `offline_access`). The flow is the calendar's (state and PKCE bound to the
/// caller for 10 minutes, the same callback URL); the callback stores an email account.
/// iCloud (`apple`) and IMAP mailboxes connect with a password instead (`MailPasswordConnect`).
struct MailConnectRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on group: RouterGroup<ServerRequestContext>) {
        group.post("mail/accounts/connect", use: self.start)
    }

    struct ConnectRequest: JSONRequestBody {
        static let fields: Set<String> = ["provider", "login_hint", "email", "display_name", "password", "imap", "smtp"]
        /// `gmail`, `outlook`, `apple` or `imap`.
        var provider: String
        var loginHint: String?
        // apple and imap only:
        var email: String?
        var displayName: String?
        var password: String?
        var imap: MailPasswordConnect.ServerSettings?
        var smtp: MailPasswordConnect.ServerSettings?

        enum CodingKeys: String, CodingKey {
            case provider, email, password, imap, smtp
            case loginHint = "login_hint"
            case displayName = "display_name"
        }
    }

    @Sendable func start(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSONBody(ConnectRequest.self, maxBytes: self.dependencies.configuration.maxBodyBytes)
        if let passwordProvider = IMAPMailProvider(rawValue: body.provider) {
            return try await MailPasswordConnect(dependencies: self.dependencies).connect(body, provider: passwordProvider, identity: identity)
        }
        let provider: CalendarProviderKind
        switch body.provider {
        case "gmail": provider = .google
        case "outlook": provider = .outlook
        default: throw APIError.badRequest("invalid_field", "provider must be gmail, outlook, apple or imap")
        }
        guard body.email == nil, body.password == nil, body.imap == nil, body.smtp == nil, body.displayName == nil else {
            throw APIError.badRequest(
                "invalid_field", "email, display_name, password, imap and smtp are for apple and imap; \(body.provider) connects through its sign-in page")
        }
        if let hint = body.loginHint, !FieldRules.isLoginHint(hint) {
            throw APIError.badRequest("invalid_field", "login_hint must be at most 320 printable characters")
        }
        let oauth = try await OAuthClients(dependencies: self.dependencies).client(for: provider, identity: identity)
        let state = OAuthClient.randomState()
        let pkce = PKCE.generate()
        let started: OAuthConnectStates.Started
        do {
            started = try await OAuthConnectStates(database: self.dependencies.database).beginMail(
                identity, provider: provider.rawValue, state: state, codeVerifier: pkce.verifier)
        } catch DatabaseError.limitExceeded {
            throw APIError(.tooManyRequests, code: "too_many_connect_attempts",
                           message: "too many connect attempts are in progress; finish one or wait 10 minutes")
        }
        let authorization = oauth.authorizationRequest(
            redirectURI: self.dependencies.configuration.callbackURL(provider: provider.rawValue),
            scopes: OAuthFeature.scopes(for: [.mailRead, .mailSend], provider: provider),
            loginHint: body.loginHint, state: state, pkce: pkce)
        context.logger.info(
            "mail connect started",
            metadata: ["provider": .string(body.provider), "connect_state": .string(started.id.uuidString.lowercased())])
        return try JSONCoding.response(
            ConnectRoutes.ConnectStarted(authorizationURL: authorization.url, expiresAt: started.expiresAt), status: .created)
    }
}
