import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncMail
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `crmsync serve`: the backend API, the OAuth callback, the providers' webhooks, health and
/// metrics over one Hummingbird server, plus (unless turned off) the sync worker and the
/// background services, all stopped gracefully on SIGTERM/SIGINT.
public struct CRMSyncServer: Sendable {
    public let dependencies: ServerDependencies
    /// Extra background services run with the server (tests add theirs).
    public var services: [any Service]
    /// Graph notifications accepted with a 202 and handled after the reply.
    let pushWork = PushWorkQueue()
    /// Wakes the worker's idle slots when a sync is requested (LISTEN/NOTIFY).
    let wakeUp = SyncWakeUp()

    public init(dependencies: ServerDependencies, services: [any Service] = []) {
        self.dependencies = dependencies
        self.services = services
    }

    /// Every route, behind the request-log and error middleware; `/v1` also behind the
    /// bearer-token check.
    public func buildRouter() async throws -> Router<ServerRequestContext> {
        let dependencies = self.dependencies
        let jwt = dependencies.configuration.jwt
        let verifier = try await CallerTokenVerifier(
            hmacSecret: jwt.hmacSecret, jwksJSON: jwt.jwksJSON, audiences: jwt.audiences, leeway: jwt.leeway, now: dependencies.now)
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: ErrorResponseMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware())
        OperationsRoutes(dependencies: dependencies).register(on: router)
        WebhookRoutes(dependencies: dependencies, queue: self.pushWork).register(on: router)
        GmailWebhookRoutes(dependencies: dependencies).register(on: router)
        OAuthCallbackRoutes(dependencies: dependencies).register(on: router)

        let v1 = router.group("v1").add(middleware: BearerAuthMiddleware(verifier: verifier, metrics: dependencies.metrics))
        AccountRoutes(dependencies: dependencies).register(on: v1)
        ConnectRoutes(dependencies: dependencies).register(on: v1)
        MailConnectRoutes(dependencies: dependencies).register(on: v1)
        ConflictRoutes(dependencies: dependencies).register(on: v1)
        DisconnectRoutes(dependencies: dependencies).register(on: v1)
        MailAccountRoutes(dependencies: dependencies).register(on: v1)
        MailDisconnectRoutes(dependencies: dependencies).register(on: v1)
        MailSendRoutes(dependencies: dependencies).register(on: v1)
        MessageRoutes(dependencies: dependencies).register(on: v1)
        return router
    }

    /// The sync worker of this process, reporting each run to the metrics.
    public func syncWorker(name: String) -> SyncWorker {
        self.background(workerName: name).worker
    }

    /// The background services of this process (`BackgroundServices`): listener, worker and
    /// push renewal, reporting to the metrics.
    public func background(workerName: String) -> BackgroundServices {
        let dependencies = self.dependencies
        let engine = CalendarSyncEngine(
            database: dependencies.database, endpoints: dependencies.endpoints, http: dependencies.http,
            logger: dependencies.logger)
        let metrics = dependencies.metrics
        return BackgroundServices(
            engine: engine, settings: dependencies.configuration.background, workerName: workerName, wakeUp: self.wakeUp,
            pushChannels: dependencies.pushChannels,
            onReport: { account, report in
                metrics.syncRun(provider: account.provider, status: report.status.rawValue)
                metrics.events(provider: account.provider, direction: "imported", count: report.counts.imported)
                metrics.events(provider: account.provider, direction: "exported", count: report.counts.exported)
                metrics.events(provider: account.provider, direction: "updated", count: report.counts.updated)
                metrics.events(provider: account.provider, direction: "deleted", count: report.counts.deleted)
                metrics.conflicts(provider: account.provider, count: report.counts.conflicts)
                if report.oauthClientRejected { metrics.oauthClientRejected(provider: account.provider) }
            },
            onPushOutcome: { provider, outcome in metrics.pushRenewal(provider: provider, outcome: outcome) })
    }

    /// The mail worker of this process: due mailboxes synced, outboxes sent, each run counted
    /// in the metrics.
    public func mailWorker(name: String) -> MailWorker {
        let dependencies = self.dependencies
        let configuration = dependencies.configuration
        let logger = Logger(label: "crmsync.mail")
        let api = MailAPIAccess(
            database: dependencies.database, endpoints: dependencies.endpoints, http: dependencies.http,
            gmailPushTopic: configuration.gmailPushTopic, graphNotificationURL: configuration.webhookURL("microsoft"),
            logger: logger)
        let metrics = dependencies.metrics
        return MailWorker(
            engine: MailSyncEngine(database: dependencies.database, trust: configuration.mailTrust, api: api, logger: logger),
            sender: OutboxSender(database: dependencies.database, trust: configuration.mailTrust, api: api, logger: logger),
            worker: name, concurrency: max(1, configuration.workerConcurrency / 2), pollInterval: configuration.workerPollInterval,
            onReport: { _, report, sent in
                metrics.mailRun(status: report.status.rawValue, imported: report.imported, updated: report.updated, deleted: report.deleted)
                for outcome in sent { metrics.mailSend(status: outcome.result.rawValue) }
            })
    }

    /// The application: HTTP server plus the worker and background services.
    /// `onReady` receives the bound port (use port 0 in tests).
    public func buildApplication(
        workerName: String = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)",
        onReady: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        let configuration = self.dependencies.configuration
        // The group stops services in reverse order: the worker and renewal first, the
        // listener and the Graph work queue last.
        var services = self.services
        services.append(PushWorkService(queue: self.pushWork, dependencies: self.dependencies))
        if configuration.runWorker {
            services += self.background(workerName: workerName).services()
            if configuration.runMailWorker { services.append(self.mailWorker(name: workerName)) }
        }
        // Slow or idle clients are cut off (`idleTimeout`): a half-sent request does not hold
        // a connection for ever.
        let idle = configuration.idleTimeout.components
        let idleTimeout = TimeAmount.nanoseconds(idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000)
        return Application(
            router: try await self.buildRouter(),
            server: .http1(configuration: .init(idleTimeout: idleTimeout)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "crmsync"),
            services: services,
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
            logger: self.dependencies.logger)
    }
}
