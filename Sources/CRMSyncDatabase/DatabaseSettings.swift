import PostgresClient

/// How crmsync reaches its database, as an administrator and as the service.
public struct DatabaseSettings: Sendable {
    /// The operator's connection: migrations, audit, rotation, demo data.
    public var admin: PostgresConfiguration
    /// The service's own login role: neither superuser, owner nor BYPASSRLS.
    public var app: PostgresConfiguration
    /// Password to give the service role when migrating, if any (local trust clusters need none).
    public var appPassword: String?

    /// The service's login role, created by the migrations.
    public static let appRole = "crmsync_app"

    public init(admin: PostgresConfiguration, app: PostgresConfiguration, appPassword: String?) {
        self.admin = admin
        self.app = app
        self.appPassword = appPassword
    }

    /// `DATABASE_URL` (or `PG*`) for the administrator. The service uses
    /// `CRMSYNC_APP_DATABASE_URL` when given, else the same database as `crmsync_app` with
    /// `CRMSYNC_APP_PASSWORD`.
    public static func fromEnvironment(_ environment: [String: String]) -> DatabaseSettings {
        let admin = PostgresConfiguration.fromEnvironment(environment)
        let password = environment["CRMSYNC_APP_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        let app: PostgresConfiguration
        if let url = environment["CRMSYNC_APP_DATABASE_URL"], !url.isEmpty {
            app = PostgresConfiguration(connectionString: url)
        } else {
            app = admin.loggingIn(as: Self.appRole, password: password)
        }
        return DatabaseSettings(admin: admin, app: app, appPassword: password)
    }
}
