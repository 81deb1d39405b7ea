import ArgumentParser
import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import Logging

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The authorization-code flow with PKCE over a loopback redirect.
struct ConnectFlow {
    enum Failure: Error, CustomStringConvertible {
        case denied(String)
        case stateMismatch
        case noCode
        case unreachable(String)

        var description: String {
            switch self {
            case .denied(let reason): "the provider did not authorize the connection: \(reason)"
            case .stateMismatch: "the callback's state does not match this request (refused)"
            case .noCode: "the callback carried no authorization code"
            case .unreachable(let reason): reason
            }
        }
    }

    let oauth: OAuthClient
    let loginHint: String?
    /// What the account is connected for, which decides the scopes asked.
    var features: Set<OAuthFeature> = [.calendar]

    /// The callback key that carries a connection failure (no provider sends it).
    static let unreachableKey = "crmsync.unreachable"
    /// Connection failures that mean the endpoint cannot be reached.
    static let unreachableCodes: Set<URLError.Code> = [
        .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet, .networkConnectionLost,
        .timedOut, .secureConnectionFailed, .unsupportedURL, .badURL,
    ]

    /// Runs the browser step and exchanges the code; returns the tokens.
    func authorize(timeout: Duration, logger: Logger) async throws -> TokenSet {
        let scopes = OAuthFeature.scopes(for: self.features, provider: self.oauth.provider)
        let request = LockedBox<AuthorizationRequest?>(nil)
        let query = try await LoopbackRedirectListener.firstCallback(timeout: timeout, logger: logger) { redirectURI, finish in
            let authorization = self.oauth.authorizationRequest(redirectURI: redirectURI, scopes: scopes, loginHint: self.loginHint)
            request.set(authorization)
            print("Open this URL to authorize crmsync:\n\(authorization.url.absoluteString)")
            // An endpoint that redirects straight back completes here, unattended; a real sign-in
            // page just answers 200 and the person finishes in their browser. An error page
            // (unknown client, bad redirect URI) ends the wait at once.
            // An endpoint that cannot be reached at all (wrong URL, no route, DNS) ends it too,
            // with the connection error: no browser would get further, nor the code exchange.
            Task {
                let response: URLResponse
                do {
                    var probe = URLRequest(url: authorization.url)
                    probe.timeoutInterval = 20
                    (_, response) = try await URLSession.shared.data(for: probe)
                } catch let error as URLError where Self.unreachableCodes.contains(error.code) {
                    let host = authorization.url.host ?? authorization.url.absoluteString
                    finish([Self.unreachableKey: "cannot reach the authorization endpoint \(host): \(error.localizedDescription) (URLError \(error.code.rawValue))"])
                    return
                } catch {
                    return
                }
                guard let status = (response as? HTTPURLResponse)?.statusCode, status >= 400 else { return }
                finish(["error": "the authorization endpoint answered HTTP \(status) (is the OAuth client registered there?)"])
            }
        }
        guard let authorization = request.get() else { throw Failure.noCode }
        if let reason = query[Self.unreachableKey] { throw Failure.unreachable(reason) }
        if let error = query["error"] { throw Failure.denied(error) }
        guard query["state"] == authorization.state else { throw Failure.stateMismatch }
        guard let code = query["code"], !code.isEmpty else { throw Failure.noCode }
        return try await self.oauth.exchange(
            code: code, codeVerifier: authorization.pkce.verifier, redirectURI: authorization.redirectURI)
    }

    /// The flow with the OAuth client registered for `provider` (the organization's own or the
    /// platform's); a missing registration is refused with the command that fixes it.
    static func registered(
        provider: CalendarProviderKind, for identity: Identity, database: TenantDatabase, options: GlobalOptions,
        loginHint: String?, features: Set<OAuthFeature> = [.calendar]
    ) async throws -> ConnectFlow {
        let endpoints = try ProviderEndpoints.fromEnvironment(options.environment)
        let registration: (clientID: String, clientSecret: String)
        do {
            registration = try await CalendarAccountStore(database: database).oauthClient(provider: provider.oauthClientName, for: identity)
        } catch CalendarAccountError.oauthClientMissing {
            // No client registered: say what fixes it rather than a bare SQLSTATE.
            throw ValidationError(
                "no OAuth client is registered for \(provider.oauthClientName); an administrator registers it with:\n  "
                    + ProviderArgument.registerCommand(provider, organization: "<org uuid, for the organization's own app>"))
        }
        let oauth = OAuthClient(
            provider: provider,
            credentials: OAuthCredentials(clientId: registration.clientID, clientSecret: registration.clientSecret),
            endpoints: endpoints)
        return ConnectFlow(oauth: oauth, loginHint: loginHint, features: features)
    }

    /// The listener's server logs its own (normal) shutdown as errors; it stays quiet unless
    /// someone asked for debug output.
    static func listenerLogger(_ options: GlobalOptions) -> Logger {
        var logger = options.logger("crmsync.connect")
        if logger.logLevel > .debug { logger.logLevel = .critical }
        return logger
    }

    /// The account's address as the provider reports it.
    func accountEmail(tokens: TokenSet) async throws -> String {
        try await self.oauth.accountEmail(tokens: tokens)
    }
}

/// A value shared between the listener's callback and the flow. `@unchecked Sendable`:
/// every access holds the lock.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func get() -> Value { self.lock.withLock { self.value } }
    func set(_ value: Value) { self.lock.withLock { self.value = value } }
}
