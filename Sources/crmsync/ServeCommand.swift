import ArgumentParser
import CRMSyncDatabase
import CRMSyncProviders
import CRMSyncServer
import Foundation
import Hummingbird
import PostgresClient
import ServiceLifecycle

/// `crmsync serve`: the HTTP service (backend API, OAuth callback, webhooks, health, metrics)
/// with the sync worker and background services, until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the backend API, the OAuth callback and the providers' webhooks; run the sync worker alongside.",
        discussion: """
            Required: DATABASE_URL (or CRMSYNC_APP_DATABASE_URL), CRMSYNC_TOKEN_KEY (or CRMSYNC_TOKEN_KEY_FILE), \
            CRMSYNC_PUBLIC_URL, and CRMSYNC_JWT_SECRET (or CRMSYNC_JWT_SECRET_FILE or CRMSYNC_JWKS_FILE). \
            The README lists every setting and its default. SIGTERM or SIGINT stops accepting requests, lets \
            syncs under way finish and exits.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "Address to listen on (default: $CRMSYNC_HOST or 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (default: $CRMSYNC_PORT or 8080; 0 picks a free one).")
    var port: Int?

    @Flag(help: "Do not run the sync worker and background services in this process.")
    var noWorker = false

    @Flag(help: "Run the calendar worker but not the mail worker (mailboxes are then synced by `crmsync worker`).")
    var noMailWorker = false

    @Option(help: "Seconds SIGTERM waits for syncs under way before cancelling them.")
    var shutdownGraceSeconds: Int = 25

    func run() async throws {
        try await reportingErrors {
            let environment = self.options.environment
            guard environment["DATABASE_URL"].map({ !$0.isEmpty }) == true
                || environment["CRMSYNC_APP_DATABASE_URL"].map({ !$0.isEmpty }) == true
            else {
                throw ServerConfigurationError.missing(
                    "DATABASE_URL", hint: "the database to serve (or CRMSYNC_APP_DATABASE_URL for the service's own login)")
            }
            var configuration = try ServerConfiguration.fromEnvironment(environment)
            if let host = self.host { configuration.host = host }
            if let port = self.port {
                guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
                configuration.port = port
            }
            if self.noWorker { configuration.runWorker = false }
            if self.noMailWorker { configuration.runMailWorker = false }
            guard self.shutdownGraceSeconds > 0 else { throw ValidationError("--shutdown-grace-seconds must be positive") }
            let secretKey = try self.options.requiredSecretKey()
            let logger = self.options.logger("crmsync.serve")
            let endpoints = try ProviderEndpoints.fromEnvironment(environment)
            let metrics = ServiceMetrics()
            let database = TenantDatabase(
                pool: PostgresPool(
                    configuration: try self.options.databaseSettings.app, maxConnections: configuration.workerConcurrency + 8,
                    logger: self.options.logger("crmsync.postgres")),
                secretKey: secretKey)
            let dependencies = ServerDependencies(
                configuration: configuration, database: database, endpoints: endpoints,
                http: ServerDependencies.measuredHTTP(endpoints: endpoints, metrics: metrics, logger: self.options.logger("crmsync.providers")),
                metrics: metrics, migrations: Migrator(files: try MigrationFile.load(root: self.options.rootURL)), logger: logger)
            let host = configuration.host
            let application = try await CRMSyncServer(dependencies: dependencies).buildApplication { port in
                FileHandle.standardOutput.write(Data("crmsync serving on http://\(host):\(port)\n".utf8))
            }
            // Syncs under way finish on SIGTERM, but a provider retrying with backoff could hold
            // the process for a minute: after the grace period the rest is cancelled.
            var group = ServiceGroupConfiguration(
                services: [.init(service: application)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            group.maximumGracefulShutdownDuration = .seconds(self.shutdownGraceSeconds)
            try await ServiceGroup(configuration: group).run()
        }
    }
}
