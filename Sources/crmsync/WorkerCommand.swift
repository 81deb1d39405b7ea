import ArgumentParser
import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import PostgresClient
import ServiceLifecycle

/// `crmsync worker`: syncs due calendar accounts until SIGTERM or SIGINT.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Sync due calendar accounts until stopped (SIGTERM/SIGINT); any number of workers may share a database.",
        discussion: """
            Each slot claims one due account with a lease (FOR UPDATE SKIP LOCKED), syncs it under its owner's \
            identity, renews the lease while it runs and releases it afterwards. On SIGTERM or SIGINT no new account \
            is claimed; runs under way finish and release their leases. Idle slots wake at once when a sync is requested \
            (LISTEN crmsync_sync_requested on the worker's database); the poll interval is the fallback.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "Accounts synced at once.")
    var concurrency: Int = 4

    @Option(help: "Seconds a lease lasts unless renewed.")
    var leaseSeconds: Int = 300

    @Option(help: "Seconds an idle slot waits before looking for due accounts again.")
    var pollSeconds: Int = 5

    @Flag(inversion: .prefixedNo, help: "Wake idle slots at once on LISTEN crmsync_sync_requested (off: poll only, e.g. behind a transaction pooler).")
    var listen = true

    @Option(help: "This worker's name in the leases (default: host and process id).")
    var name: String?

    func run() async throws {
        try await reportingErrors {
            guard self.concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
            let logger = self.options.logger("crmsync.worker")
            let app = self.options.databaseSettings.app
            let database = TenantDatabase(
                pool: PostgresPool(configuration: app, maxConnections: self.concurrency + 1),
                secretKey: try self.options.requiredSecretKey())
            let engine = CalendarSyncEngine(
                database: database, endpoints: try ProviderEndpoints.fromEnvironment(self.options.environment),
                logger: self.options.logger("crmsync.engine"))
            let name = self.name ?? "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
            let wakeUp = SyncWakeUp()
            let worker = SyncWorker(
                engine: engine, leases: SyncLeases(database: database, worker: name, leaseSeconds: self.leaseSeconds),
                concurrency: self.concurrency, pollInterval: .seconds(max(1, self.pollSeconds)), wakeUp: wakeUp
            ) { account, report in
                print(
                    "\(account.accountID.uuidString.lowercased()) \(report.status.rawValue): imported \(report.counts.imported), "
                        + "exported \(report.counts.exported), errors \(report.counts.errors)")
            }
            // The listener first: a group shuts its services down in reverse order.
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if self.listen {
                services.append(.init(service: SyncRequestListener(database: database, wakeUp: wakeUp, logger: logger)))
            }
            services.append(.init(service: worker))
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            print("worker \(name) running with \(self.concurrency) slots")
            try await group.run()
        }
    }
}
