import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `GET /oauth/{provider}/callback`: where the provider sends the browser after consent, and
/// `GET /oauth/complete`, the default return page.
///
/// The callback carries no caller token: the `state` binds it to the person and organization
/// that started the flow. It is consumed first, whatever follows (single use). Then the code is
/// exchanged with the stored PKCE verifier, the account (a calendar, or a Gmail/Outlook mailbox for
/// a mail flow) created or reconnected with its tokens encrypted, its first sync requested and,
/// for a calendar, its push channel opened (a fresh one on reconnect). The
/// browser always ends at the configured return URL with `status=connected&account=<id>` or
/// `status=error&error=<code>`; no error creates an account. The code, state and verifier never
/// reach a log line.
struct OAuthCallbackRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on router: Router<ServerRequestContext>) {
        router.get("oauth/:provider/callback", use: self.callback)
        router.get("oauth/complete", use: self.complete)
    }

    /// Why a callback did not connect an account: the `error` code on the return URL.
    enum Failure: String, Error, Sendable {
        /// The person refused consent at the provider.
        case accessDenied = "access_denied"
        /// The provider reported another error on the redirect.
        case providerError = "provider_error"
        /// No state, or one this service never issued (or purged).
        case stateInvalid = "state_invalid"
        case stateExpired = "state_expired"
        /// The state was used before (a replayed callback).
        case stateUsed = "state_used"
        /// The callback path names another provider than the flow was started for.
        case providerMismatch = "provider_mismatch"
        /// No authorization code on an otherwise valid callback.
        case missingCode = "missing_code"
        /// The provider refused the code (or its token endpoint failed).
        case exchangeFailed = "exchange_failed"
        /// Storing the account failed on our side.
        case connectFailed = "connect_failed"
        /// The state could not even be checked (the database is unreachable); try again.
        case unavailable = "temporarily_unavailable"
    }

    @Sendable func callback(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let path = context.parameters.get("provider") ?? ""
        let result: Result<UUID, Failure>
        do {
            result = .success(try await self.connect(
                path: path, state: query["state"].map(String.init), code: query["code"].map(String.init),
                error: query["error"].map(String.init), logger: context.logger))
        } catch let failure as Failure {
            result = .failure(failure)
        } catch {
            context.logger.error("oauth callback: state check failed", metadata: ["error": "\(error)"])
            result = .failure(.unavailable)
        }
        switch result {
        case .success(let account):
            context.logger.info("oauth callback: connected", metadata: ["account": .string(account.uuidString.lowercased())])
            return self.redirect([("status", "connected"), ("account", account.uuidString.lowercased())])
        case .failure(let failure):
            context.logger.notice("oauth callback: refused", metadata: ["outcome": .string(failure.rawValue), "path_provider": .string(String(path.prefix(16)))])
            return self.redirect([("status", "error"), ("error", failure.rawValue)])
        }
    }

    /// The flow after the redirect; throws a `Failure` for every refused case.
    private func connect(path: String, state: String?, code: String?, error: String?, logger: Logger) async throws -> UUID {
        guard let state, !state.isEmpty else { throw Failure.stateInvalid }
        let states = OAuthConnectStates(database: self.dependencies.database)
        let binding: OAuthConnectStates.Binding
        switch try await states.consume(state: state) {
        case .bound(let bound): binding = bound
        case .unknown, .invalid: throw Failure.stateInvalid
        case .used: throw Failure.stateUsed
        case .expired: throw Failure.stateExpired
        }
        // From here the state is spent: every refusal is recorded on it, in its owner's session.
        do {
            guard let provider = CalendarProviderKind(rawValue: path), provider.storedName == binding.provider else {
                throw Failure.providerMismatch
            }
            if let error {
                throw error == "access_denied" ? Failure.accessDenied : Failure.providerError
            }
            guard let code, !code.isEmpty else { throw Failure.missingCode }
            let oauth: OAuthClient
            let tokens: TokenSet
            let email: String
            do {
                oauth = try await OAuthClients(dependencies: self.dependencies).client(for: provider, identity: binding.identity)
                tokens = try await oauth.exchange(
                    code: code, codeVerifier: binding.codeVerifier,
                    redirectURI: self.dependencies.configuration.callbackURL(provider: provider.rawValue))
                email = try await oauth.accountEmail(tokens: tokens)
            } catch {
                logger.notice("oauth code exchange failed", metadata: ["error": "\(error)"])
                throw Failure.exchangeFailed
            }
            let account: UUID
            let stored = CalendarAccountStore.Tokens(
                accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt)
            do {
                switch binding.purpose {
                case .calendar:
                    account = try await states.complete(binding, email: email, tokens: stored)
                case .mail:
                    // A mailbox's push is kept by its syncs (Gmail watch, Graph subscription).
                    let emailProvider = provider == .google ? "gmail" : "outlook"
                    return try await states.completeMail(binding, emailProvider: emailProvider, email: email, tokens: stored)
                }
            } catch {
                logger.error("storing the connected account failed", metadata: ["error": "\(error)"])
                throw Failure.connectFailed
            }
            await self.startPush(account: account, binding: binding, provider: provider, logger: logger)
            return account
        } catch let failure as Failure {
            do {
                try await states.fail(binding, outcome: failure.rawValue)
            } catch {
                logger.warning("recording the connect outcome failed", metadata: ["error": "\(error)"])
            }
            throw failure
        }
    }

    /// Opens the account's push channel (Google) or subscription (Graph). A reconnected
    /// account gets a fresh one too, replacing those it had: they were opened under the old
    /// grant, which may be gone (or, after a sandbox or tenant reset, the provider may no longer
    /// know them), and a live-looking row would otherwise keep the account without pushes until
    /// it expires. A failure is logged, not fatal: the renewal service opens missing channels,
    /// and the first sync runs anyway.
    private func startPush(
        account: UUID, binding: OAuthConnectStates.Binding, provider: CalendarProviderKind, logger: Logger
    ) async {
        let owner = binding.identity
        let manager = PushChannelManager(dependencies: self.dependencies)
        let target = PushChannelManager.Target(account: account, owner: owner, provider: provider, calendarID: binding.calendarID)
        do {
            let live = try await PushChannelStore(database: self.dependencies.database).liveChannels(account: account, as: owner)
            guard let previous = live.first else {
                try await manager.start(target)
                return
            }
            try await manager.replace(
                target, channel: previous.id, externalID: previous.externalID, resourceID: previous.resourceID,
                oldCalendarID: previous.calendarID)
            for other in live.dropFirst() {
                var old = target
                old.calendarID = other.calendarID
                await manager.stop(old, channel: other.id, externalID: other.externalID, resourceID: other.resourceID)
            }
        } catch {
            logger.warning("opening the push channel failed; the renewal service will retry", metadata: ["error": "\(error)"])
        }
    }

    /// 302 to the return URL with `items` appended to its query.
    private func redirect(_ items: [(String, String)]) -> Response {
        var components = URLComponents(url: self.dependencies.configuration.returnURL, resolvingAgainstBaseURL: false)
            ?? URLComponents()
        components.queryItems = (components.queryItems ?? []) + items.map { URLQueryItem(name: $0.0, value: $0.1) }
        let location = components.url?.absoluteString ?? self.dependencies.configuration.returnURL.absoluteString
        return Response(
            status: .found,
            headers: [.location: location, .cacheControl: "no-store", HTTPField.Name("Referrer-Policy")!: "no-referrer"])
    }

    /// The default return page: one line of text saying how the flow ended.
    @Sendable func complete(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let text: String
        switch query["status"].map(String.init) {
        case "connected":
            let account = query["account"].flatMap { UUID(uuidString: String($0)) }?.uuidString.lowercased() ?? "?"
            text = "Calendar connected (account \(account)). You can close this window.\n"
        case "error":
            let code = query["error"].map(String.init).flatMap(Failure.init(rawValue:))?.rawValue ?? "unknown"
            text = "The calendar was not connected (\(code)). Close this window and try again from the CRM.\n"
        default:
            text = "Nothing to report. Start connecting a calendar from the CRM.\n"
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
