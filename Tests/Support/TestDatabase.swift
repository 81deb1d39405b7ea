import CRMSyncDatabase
import Foundation
import PostgresClient

/// A scratch database for one test: created from `DATABASE_URL` (a superuser, as `make test`
/// provides), migrated, optionally loaded with the demo data, and dropped afterwards.
/// Shared by the test targets (CRMSyncTestSupport), which cannot import each other.
public struct TestDatabase: Sendable {
    public let name: String
    /// Superuser on the scratch database.
    public let admin: PostgresConfiguration
    /// The service's login role (`crmsync_app`) on the scratch database.
    public let app: PostgresConfiguration
    public let key: SecretKey
    public let root: URL

    public init(name: String, admin: PostgresConfiguration, app: PostgresConfiguration, key: SecretKey, root: URL) {
        self.name = name
        self.admin = admin
        self.app = app
        self.key = key
        self.root = root
    }

    /// The project root, found from this file's path.
    public static let projectRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var settings: DatabaseSettings {
        get throws {
            let environment = ProcessInfo.processInfo.environment
            guard let url = environment["DATABASE_URL"], !url.isEmpty else {
                throw TestSetupError("DATABASE_URL is not set: run the tests with `make test`")
            }
            return try DatabaseSettings.fromEnvironment(environment)
        }
    }

    /// Runs `body` against a fresh, migrated database and drops it afterwards.
    @discardableResult
    public static func with<T>(
        _ label: String, seed: Bool = true, migrate: Bool = true, _ body: (TestDatabase) async throws -> T
    ) async throws -> T {
        let settings = try self.settings
        let name = "crmsync_t_\(label)_\(UInt32.random(in: 0...UInt32.max))"
        let server = try await PostgresConnection.connect(settings.admin)
        try await server.execute("create database \(name)")
        let key = try SecretKey("test-key-\(UUID().uuidString)-\(UUID().uuidString)")
        var admin = settings.admin
        admin.overrides["dbname"] = name
        var app = settings.app
        app.overrides["dbname"] = name
        let database = TestDatabase(name: name, admin: admin, app: app, key: key, root: self.projectRoot)
        do {
            if migrate { try await database.migrate() }
            if migrate && seed { try await database.seedDemo() }
            let value = try await body(database)
            try await server.execute("drop database \(name) with (force)")
            return value
        } catch {
            _ = try? await server.execute("drop database \(name) with (force)")
            throw error
        }
    }

    public func migrate() async throws {
        try await MigrationGate.shared.run {
            // The gate serializes this module's migrations only: another test module (or
            // process) migrating another scratch database on the same cluster can still alter
            // the same cluster-wide role rows ("tuple concurrently updated"). The failed
            // migration was rolled back: try again.
            var attempt = 0
            while true {
                do {
                    return try await self.migrateNow()
                } catch where attempt < 5 && "\(error)".contains("tuple concurrently updated") {
                    attempt += 1
                    try await Task.sleep(for: .milliseconds(200 * attempt))
                }
            }
        }
    }

    private func migrateNow() async throws {
        let connection = try await PostgresConnection.connect(self.admin)
        _ = try await Migrator(files: try MigrationFile.load(root: self.root)).apply(on: connection)
        if let password = try Self.settings.appPassword {
            try await AppRole.setPassword(password, on: connection)
        }
    }

    public func seedDemo() async throws {
        let connection = try await PostgresConnection.connect(self.admin)
        try await DemoData.load(root: self.root, key: self.key, on: connection)
    }

    /// A superuser connection to the scratch database.
    public func adminConnection() async throws -> PostgresConnection {
        try await PostgresConnection.connect(self.admin)
    }

    /// The service's view: pooled `crmsync_app` connections, identity per transaction.
    public func tenant(maxConnections: Int = 2, key: SecretKey? = nil) -> TenantDatabase {
        TenantDatabase(pool: PostgresPool(configuration: self.app, maxConnections: maxConnections), secretKey: key ?? self.key)
    }

    /// The sandbox's OAuth clients (`sandbox-client` / `sandbox-secret`) registered as the
    /// platform's Google and Microsoft apps.
    public func registerSandboxOAuthClients() async throws {
        let admin = try await self.adminConnection()
        for provider in ["google", "microsoft"] {
            try await OAuthClientRegistry.set(
                provider: provider, clientID: "sandbox-client", clientSecret: "sandbox-secret", organization: nil, key: self.key,
                on: admin)
        }
    }

    /// A new member of `organization` (a person of the CRM with no accounts yet).
    public func addMember(to organization: UUID = Demo.acme, user: UUID = UUID()) async throws -> Identity {
        try await self.adminConnection().query(
            "insert into public.user_organizations (organization_id, user_id, role) values (\(organization), \(user), 'member')")
        return Identity(userID: user, organizationID: organization)
    }
}

/// Roles are cluster-wide: migrations of two scratch databases at once would alter the same
/// role rows concurrently, so the test process runs them one at a time.
public actor MigrationGate {
    public static let shared = MigrationGate()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public func run<T>(_ body: () async throws -> T) async throws -> T {
        if self.busy {
            await withCheckedContinuation { self.waiters.append($0) }
        }
        self.busy = true
        defer {
            if self.waiters.isEmpty { self.busy = false } else { self.waiters.removeFirst().resume() }
        }
        return try await body()
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The demo data's fixed ids (demo/seed.sql lists them).
public enum Demo {
    public static let acme = UUID(uuidString: "10000000-0000-4000-8000-000000000001")!
    public static let globex = UUID(uuidString: "20000000-0000-4000-8000-000000000001")!
    public static let alice = UUID(uuidString: "10000000-0000-4000-8000-0000000000a1")!  // Acme owner
    public static let bob = UUID(uuidString: "10000000-0000-4000-8000-0000000000b2")!  // Acme member
    public static let gina = UUID(uuidString: "20000000-0000-4000-8000-0000000000a1")!  // Globex owner
    public static let hank = UUID(uuidString: "20000000-0000-4000-8000-0000000000b2")!  // Globex member
    public static let aliceCalendar = UUID(uuidString: "10000000-0000-4000-8000-0000000c0001")!
    public static let bobCalendar = UUID(uuidString: "10000000-0000-4000-8000-0000000c0002")!
    public static let ginaCalendar = UUID(uuidString: "20000000-0000-4000-8000-0000000c0001")!
    public static let aliceEmail = UUID(uuidString: "10000000-0000-4000-8000-0000000e0001")!
    public static let ginaEmail = UUID(uuidString: "20000000-0000-4000-8000-0000000e0001")!

    public static let aliceAtAcme = Identity(userID: alice, organizationID: acme)
    public static let bobAtAcme = Identity(userID: bob, organizationID: acme)
    public static let ginaAtGlobex = Identity(userID: gina, organizationID: globex)
    public static let hankAtGlobex = Identity(userID: hank, organizationID: globex)
}
