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
    /// `CRMSYNC_APP_PASSWORD`; `CRMSYNC_PREPARED_STATEMENTS=off` keeps its connections free of
    /// prepared statements (behind a pooler in transaction mode that cannot carry them).
    public static func fromEnvironment(_ environment: [String: String]) throws -> DatabaseSettings {
        let admin = PostgresConfiguration.fromEnvironment(environment)
        let password = environment["CRMSYNC_APP_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        var app: PostgresConfiguration
        if let url = environment["CRMSYNC_APP_DATABASE_URL"], !url.isEmpty {
            app = PostgresConfiguration(connectionString: url)
        } else {
            app = admin.loggingIn(as: Self.appRole, password: password)
        }
        app.preparesStatements = try Self.switchValue("CRMSYNC_PREPARED_STATEMENTS", in: environment, default: true)
        return DatabaseSettings(admin: admin, app: app, appPassword: password)
    }

    /// An on/off variable: on, off, true, false, 1 or 0 (any case); unset or empty is `default`.
    static func switchValue(_ name: String, in environment: [String: String], default value: Bool) throws -> Bool {
        guard let text = environment[name], !text.isEmpty else { return value }
        switch text.lowercased() {
        case "on", "true", "1": return true
        case "off", "false", "0": return false
        default: throw DatabaseSettingsError.notASwitch(variable: name)
        }
    }
}

/// A database setting in the environment that cannot be used.
public enum DatabaseSettingsError: Error, CustomStringConvertible, Equatable {
    case notASwitch(variable: String)

    public var description: String {
        switch self {
        case .notASwitch(let variable): "\(variable) must be on or off"
        }
    }
}
