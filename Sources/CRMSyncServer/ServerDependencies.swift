import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import Logging

/// What the route handlers and background services share. Plain values: the command builds
/// it from the environment, tests from their scratch database and sandbox.
public struct ServerDependencies: Sendable {
    public var configuration: ServerConfiguration
    /// The service's pool, as `crmsync_app`; every transaction sets its identity.
    public var database: TenantDatabase
    /// Where the providers' APIs live (the real ones, or the sandbox).
    public var endpoints: ProviderEndpoints
    /// Provider HTTP stack (instrumented with the metrics).
    public var http: ProviderHTTPClient
    public var metrics: ServiceMetrics
    /// The migration files this build ships with (for /readyz).
    public var migrations: Migrator
    /// The service's clock; tests move it to expire states, channels and subscriptions.
    public var now: @Sendable () -> Date
    public var logger: Logger

    public init(
        configuration: ServerConfiguration, database: TenantDatabase, endpoints: ProviderEndpoints,
        http: ProviderHTTPClient, metrics: ServiceMetrics, migrations: Migrator,
        now: @escaping @Sendable () -> Date = Date.init, logger: Logger
    ) {
        self.configuration = configuration
        self.database = database
        self.endpoints = endpoints
        self.http = http
        self.metrics = metrics
        self.migrations = migrations
        self.now = now
        self.logger = logger
    }

    public var accounts: CalendarAccountStore { CalendarAccountStore(database: self.database) }
}

extension ServerDependencies {
    /// The provider HTTP stack with every request and retry wait recorded in `metrics`.
    public static func measuredHTTP(endpoints: ProviderEndpoints, metrics: ServiceMetrics, logger: Logger) -> ProviderHTTPClient {
        ProviderHTTPClient(
            transport: MeasuredTransport(base: URLSessionTransport(), metrics: metrics, endpoints: endpoints),
            sleeper: MeasuredSleeper(base: SystemSleeper(), metrics: metrics), logger: logger)
    }
}
