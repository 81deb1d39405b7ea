import ArgumentParser
import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncMail
import CRMSyncProviders
import CRMSyncServer
import Foundation
import PostgresClient
import ServiceLifecycle

/// `crmsync worker`: syncs due calendar accounts and keeps push channels alive until SIGTERM or SIGINT.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Sync due calendar and mail accounts until stopped (SIGTERM/SIGINT); any number of workers may share a database.",
        discussion: """
            Each slot claims one due account with a lease (FOR UPDATE SKIP LOCKED), syncs it under its owner's \
            identity, renews the lease while it runs and releases it afterwards. On SIGTERM or SIGINT no new account \
            is claimed; runs under way finish and release their leases. Idle slots wake at once when a sync is requested \
            (LISTEN crmsync_sync_requested on the worker's database); the poll interval is the fallback. With \
            CRMSYNC_PUBLIC_URL set (where the providers deliver webhooks), push channels are renewed as `serve` renews \
            them (CRMSYNC_PUSH_* settings alike).
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "Accounts synced at once.")
    var concurrency: Int = BackgroundSettings.defaultWorkerConcurrency

    @Option(help: "Seconds a lease lasts unless renewed.")
    var leaseSeconds: Int = BackgroundSettings.defaultLeaseSeconds

    @Option(help: "Seconds an idle slot waits before looking for due accounts again.")
    var pollSeconds: Int = Int(BackgroundSettings.defaultPollInterval.components.seconds)

    @Flag(inversion: .prefixedNo, help: "Wake idle slots at once on LISTEN crmsync_sync_requested (off: poll only, e.g. behind a transaction pooler).")
    var listen = true

    @Flag(inversion: .prefixedNo, help: "Renew push channels (needs CRMSYNC_PUBLIC_URL).")
    var pushRenewal = true

    @Flag(inversion: .prefixedNo, help: "Also sync due mail accounts and send their outboxes.")
    var mail = true

    @Option(help: "This worker's name in the leases (default: host and process id).")
    var name: String?

    func run() async throws {
        try await reportingErrors {
            guard self.concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
            let logger = self.options.logger("crmsync.worker")
            let environment = self.options.environment
            let database = TenantDatabase(
                pool: PostgresPool(configuration: try self.options.databaseSettings.app, maxConnections: self.concurrency * 2 + 2),
                secretKey: try self.options.requiredSecretKey())
            let endpoints = try ProviderEndpoints.fromEnvironment(environment)
            let engine = CalendarSyncEngine(database: database, endpoints: endpoints, logger: self.options.logger("crmsync.engine"))
            var settings = BackgroundSettings(
                workerConcurrency: self.concurrency, pollInterval: .seconds(max(1, self.pollSeconds)),
                leaseSeconds: self.leaseSeconds, listen: self.listen, push: try ServerConfiguration.pushSettings(environment))
            settings.push.runRenewal = self.pushRenewal
            var pushChannels: PushChannelManager?
            // Where providers deliver webhooks: CRMSYNC_WEBHOOK_URL when set (as for serve), else the public URL.
            let webhookBase = [environment["CRMSYNC_WEBHOOK_URL"], environment["CRMSYNC_PUBLIC_URL"]]
                .compactMap { $0 }.first { !$0.isEmpty }
            if let text = webhookBase, let base = URL(string: text) {
                pushChannels = PushChannelManager(
                    clients: AccountClients(database: database, endpoints: endpoints, http: engine.http, logger: logger),
                    settings: settings.push,
                    webhookURL: { ServerConfiguration.webhookURL(base: base, provider: $0.oauthClientName) })
            } else if self.pushRenewal {
                logger.notice("push channels are not renewed: CRMSYNC_PUBLIC_URL is not set")
            }
            let name = self.name ?? "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
            let background = BackgroundServices(
                engine: engine, settings: settings, workerName: name, pushChannels: pushChannels,
                onReport: { account, report in
                    print(
                        "\(account.accountID.uuidString.lowercased()) \(report.status.rawValue): imported \(report.counts.imported), "
                            + "exported \(report.counts.exported), errors \(report.counts.errors)")
                })
            var services = background.services()
            if self.mail {
                let trust = MailTrust.fromEnvironment(environment)
                let mailLogger = self.options.logger("crmsync.mail")
                let api = try self.options.mailAPIAccess(database: database, logger: mailLogger)
                services.append(
                    MailWorker(
                        engine: MailSyncEngine(database: database, trust: trust, api: api, logger: mailLogger),
                        sender: OutboxSender(database: database, trust: trust, api: api, logger: mailLogger), worker: name,
                        leaseSeconds: self.leaseSeconds, concurrency: max(1, self.concurrency / 2),
                        pollInterval: .seconds(max(1, self.pollSeconds)),
                        onReport: { account, report, sent in
                            print(
                                "\(account.uuidString.lowercased()) mail \(report.status.rawValue): imported \(report.imported), "
                                    + "updated \(report.updated), deleted \(report.deleted), sent \(sent.filter { $0.result == .sent }.count), "
                                    + "errors \(report.errors.count)")
                        }))
            }
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            print("worker \(name) running with \(self.concurrency) slots")
            try await group.run()
        }
    }
}
