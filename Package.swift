// swift-tools-version:6.0
// crmsync: calendar and email sync for a multi-tenant CRM. Postgres holds the rules; this
// package is the thin courier between it and the providers' APIs.
import PackageDescription

let package = Package(
    name: "crmsync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "crmsync", targets: ["crmsync"]),
        .library(name: "PostgresClient", targets: ["PostgresClient"]),
        .library(name: "CRMSyncDatabase", targets: ["CRMSyncDatabase"]),
        .library(name: "CRMSyncProviders", targets: ["CRMSyncProviders"]),
        .library(name: "ProviderSandbox", targets: ["ProviderSandbox"]),
        .library(name: "CRMSyncEngine", targets: ["CRMSyncEngine"]),
        .library(name: "CRMSyncServer", targets: ["CRMSyncServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        // Already in the graph through Hummingbird; named because the sandbox imports them.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        // `crmsync serve`: callers' JWTs, and metrics in Prometheus format.
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // Tests only: docker-compose.yml is checked as YAML (no Docker engine runs in CI).
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    ],
    targets: [
        // libpq, the Postgres project's own client library; only PostgresClient imports it.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // Connections, pool, parameterized queries and typed rows over libpq.
        .target(
            name: "PostgresClient",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The crmsync schema as seen from Swift: migrations, policy audit, per-user sessions,
        // secret keys and rotation, demo data.
        .target(
            name: "CRMSyncDatabase",
            dependencies: [
                "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Small pieces both the clients and the sandbox need (SHA-256 for PKCE, a seeded generator).
        .target(name: "CRMSyncSupport"),
        // RFC 5322/2045 parsing and composing for every mail provider; Foundation and iconv only.
        .target(name: "CRMSyncMIME"),
        // Google Calendar and Microsoft Graph clients, OAuth 2.0, the normalized event model.
        .target(
            name: "CRMSyncProviders",
            dependencies: [
                "CRMSyncSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A local emulator of the providers' HTTP APIs (tests, demo, no-credential use).
        .target(
            name: "ProviderSandbox",
            dependencies: [
                "CRMSyncSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Two-way calendar sync of one account, and the worker that schedules accounts.
        .target(
            name: "CRMSyncEngine",
            dependencies: [
                "CRMSyncDatabase",
                "CRMSyncProviders",
                "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // `crmsync serve`: the backend API, the OAuth callback, webhooks, health and metrics.
        .target(
            name: "CRMSyncServer",
            dependencies: [
                "CRMSyncEngine",
                "CRMSyncDatabase",
                "CRMSyncProviders",
                "CRMSyncSupport",
                "PostgresClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("openapi.json")]
        ),
        .executableTarget(
            name: "crmsync",
            dependencies: [
                "CRMSyncServer",
                "CRMSyncEngine",
                "CRMSyncDatabase",
                "CRMSyncProviders",
                "ProviderSandbox",
                "PostgresClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Scratch databases for the test targets: created, migrated, seeded and dropped per test.
        .target(
            name: "CRMSyncTestSupport",
            dependencies: [
                "CRMSyncDatabase", "PostgresClient", "ProviderSandbox",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Support"
        ),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient"]),
        .testTarget(name: "CRMSyncMIMETests", dependencies: ["CRMSyncMIME"]),
        .testTarget(
            name: "CRMSyncDatabaseTests",
            dependencies: [
                "CRMSyncDatabase", "CRMSyncTestSupport", "PostgresClient", "ProviderSandbox",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CRMSyncProvidersTests",
            dependencies: ["CRMSyncProviders", "CRMSyncSupport", "ProviderSandbox"]
        ),
        .testTarget(
            name: "CRMSyncEngineTests",
            dependencies: [
                "CRMSyncEngine", "CRMSyncDatabase", "CRMSyncProviders", "CRMSyncSupport", "CRMSyncTestSupport", "PostgresClient",
                "ProviderSandbox",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CRMSyncServerTests",
            dependencies: [
                "CRMSyncServer", "CRMSyncDatabase", "CRMSyncEngine", "CRMSyncProviders", "CRMSyncSupport",
                "CRMSyncTestSupport", "PostgresClient", "ProviderSandbox",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "ProviderSandboxTests",
            dependencies: [
                "ProviderSandbox",
                "CRMSyncSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
