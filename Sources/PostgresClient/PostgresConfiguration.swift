import Foundation
import CLibPQ

/// Where and as whom to connect.
///
/// The connection string is handed to libpq untouched (a `postgres://` URL or `key=value`
/// pairs); an empty one lets libpq read the standard `PG*` variables. Overrides win over
/// whatever the string says, which is how the service logs in as its own role on the
/// database an operator named.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection URI or conninfo string; empty means "use the PG* variables".
    public var connectionString: String
    /// libpq keywords (`user`, `password`, `dbname`, …) that override the string's values.
    public var overrides: [String: String]
    /// Shown in `pg_stat_activity`.
    public var applicationName: String
    /// Seconds to wait for a connection before giving up.
    public var connectTimeoutSeconds: Int
    /// Whether `queryPrepared` and the pipelined transactions keep prepared statements on the
    /// connection. Off behind a pooler in transaction mode that does not carry prepared
    /// statements between server connections (Supavisor in transaction mode, PgBouncer before
    /// 1.21 or without `max_prepared_statements`): everything then runs as plain statements.
    public var preparesStatements: Bool

    public init(
        connectionString: String = "", overrides: [String: String] = [:],
        applicationName: String = "crmsync", connectTimeoutSeconds: Int = 10, preparesStatements: Bool = true
    ) {
        self.connectionString = connectionString
        self.overrides = overrides
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.preparesStatements = preparesStatements
    }

    /// `DATABASE_URL` when set, else libpq's `PG*` variables.
    public static func fromEnvironment(_ environment: [String: String]) -> PostgresConfiguration {
        PostgresConfiguration(connectionString: environment["DATABASE_URL"] ?? "")
    }

    /// The same database as another role.
    public func loggingIn(as user: String, password: String?) -> PostgresConfiguration {
        var copy = self
        copy.overrides["user"] = user
        if let password { copy.overrides["password"] = password } else { copy.overrides["password"] = nil }
        return copy
    }

    /// Checks the connection string's syntax without connecting, with libpq's own parser.
    public func validate() throws {
        guard !self.connectionString.isEmpty else { return }
        var errorMessage: UnsafeMutablePointer<CChar>?
        let options = PQconninfoParse(self.connectionString, &errorMessage)
        defer {
            if let options { PQconninfoFree(options) }
            if let errorMessage { PQfreemem(errorMessage) }
        }
        if options == nil {
            let reason = errorMessage.map { String(cString: $0) }?.firstLine ?? "unparseable"
            throw PostgresError(.connection, message: "invalid database URL: \(reason)")
        }
    }

    /// The effective settings (string plus overrides) as one libpq conninfo string, for
    /// handing to libpq-based tools such as `pg_dump`. It may contain the password: do not log it.
    public func conninfoString() throws -> String {
        try self.validate()
        var settings: [(String, String)] = []
        if !self.connectionString.isEmpty, let options = PQconninfoParse(self.connectionString, nil) {
            defer { PQconninfoFree(options) }
            var option = options
            while let keyword = option.pointee.keyword {
                if let value = option.pointee.val { settings.append((String(cString: keyword), String(cString: value))) }
                option += 1
            }
        }
        for (key, value) in self.overrides {
            settings.removeAll { $0.0 == key }
            settings.append((key, value))
        }
        return settings.map { key, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
            return "\(key)='\(escaped)'"
        }.joined(separator: " ")
    }

    /// Keyword/value pairs for `PQconnectdbParams`, in the order libpq expects:
    /// the connection string first (expanded), then our settings, then overrides.
    var keywordValuePairs: [(String, String)] {
        var pairs: [(String, String)] = []
        if !self.connectionString.isEmpty { pairs.append(("dbname", self.connectionString)) }
        pairs.append(("fallback_application_name", self.applicationName))
        pairs.append(("connect_timeout", String(self.connectTimeoutSeconds)))
        for key in self.overrides.keys.sorted() {
            if let value = self.overrides[key] { pairs.append((key, value)) }
        }
        return pairs
    }
}

extension String {
    /// libpq messages end with a newline and sometimes carry a second line; we report one.
    var firstLine: String {
        let trimmed = self.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? trimmed
    }
}

extension PostgresConfiguration: CustomStringConvertible {
    /// Safe to log: the connection string and override values may hold a password, so only the
    /// override keywords show. (Reflection of a type holding a configuration, as ServiceLifecycle
    /// logs its services, prints this too.)
    public var description: String {
        let connection = self.connectionString.isEmpty ? "PG* variables" : "****"
        return "PostgresConfiguration(\(connection), overrides: \(self.overrides.keys.sorted()), application: \(self.applicationName))"
    }
}
