import Foundation
import Hummingbird
import Logging
import NIOCore

/// A local emulator of Google Calendar v3 + Google OAuth 2.0 and Microsoft Graph v1.0
/// calendar + Microsoft identity platform v2, each at the path it has on the real host, plus a
/// control API under `/_sandbox/`. One value serves one run: state lives in its actor.
public struct ProviderSandbox: Sendable {
    /// Where it listens and how it starts.
    public let configuration: SandboxConfiguration
    let logger: Logger
    let state: SandboxState
    let messages: AsyncStream<WebhookMessage>

    /// Creates a sandbox; nothing runs until ``run()``.
    public init(configuration: SandboxConfiguration = SandboxConfiguration(), logger: Logger = Logger(label: "crmsync.sandbox")) {
        self.configuration = configuration
        self.logger = logger
        let (stream, continuation) = AsyncStream.makeStream(of: WebhookMessage.self, bufferingPolicy: .unbounded)
        self.messages = stream
        self.state = SandboxState(configuration: configuration, outbox: continuation)
    }

    /// The router with every provider and control route.
    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        SandboxRoutes(state: self.state, logger: self.logger, fallbackHost: "\(self.configuration.host):\(self.configuration.port)")
            .add(to: router)
        return router
    }

    /// The Hummingbird application (for `HummingbirdTesting`'s `.router` and `.live` modes);
    /// `onReady` gets the bound port once the server listens.
    public func buildApplication(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: self.buildRouter(),
            configuration: .init(address: .hostname(self.configuration.host, port: self.configuration.port), serverName: "crmsync-sandbox"),
            services: [WebhookDispatcher(messages: self.messages, logger: self.logger)],
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
            logger: self.logger
        )
    }

    /// Serves until SIGTERM/SIGINT.
    public func run() async throws {
        try await self.buildApplication().runService()
    }

    /// Serves until cancelled or SIGTERM/SIGINT, calling `onReady` with the bound port (use
    /// port 0 in tests).
    public func run(onReady: @escaping @Sendable (Int) async -> Void) async throws {
        try await self.buildApplication(onReady: onReady).runService()
    }
}
