// swift-tools-version:6.2
// crmsync: calendar and email sync for a multi-tenant CRM. Postgres holds the rules; this
// package is the thin courier between it and the providers' APIs.
import PackageDescription

// The project's own targets build without a warning, enforced: any warning fails the build.
// Dependencies are not affected (SwiftPM applies these settings to our targets only).
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "crmsync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "crmsync", targets: ["crmsync"]),
        .executable(name: "crmsync-bench", targets: ["CRMSyncBench"]),
        .library(name: "PostgresClient", targets: ["PostgresClient"]),
        .library(name: "CRMSyncDatabase", targets: ["CRMSyncDatabase"]),
        .library(name: "CRMSyncProviders", targets: ["CRMSyncProviders"]),
        .library(name: "ProviderSandbox", targets: ["ProviderSandbox"]),
        .library(name: "CRMSyncEngine", targets: ["CRMSyncEngine"]),
        .library(name: "CRMSyncServer", targets: ["CRMSyncServer"]),
        .library(name: "MailTransport", targets: ["MailTransport"]),
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
            ],
            swiftSettings: strict
        ),
        // libcurl, for IMAP and SMTP (TLS, STARTTLS, SASL login) in MailTransport, and the
        // providers' streamed downloads (CRMSyncProviders' StreamingHTTPTransport).
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // IMAP (our own commands over a libcurl-authenticated connection) and SMTP sending.
        .target(
            name: "MailTransport",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The crmsync schema as seen from Swift: migrations, policy audit, per-user sessions,
        // secret keys and rotation, demo data.
        .target(
            name: "CRMSyncDatabase",
            dependencies: [
                "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Small pieces both the clients and the sandbox need (SHA-256 for PKCE, a seeded generator).
        .target(name: "CRMSyncSupport", swiftSettings: strict),
        // RFC 5322/2045 parsing and composing for every mail provider; Foundation and iconv only.
        .target(name: "CRMSyncMIME", swiftSettings: strict),
        // Google Calendar and Microsoft Graph clients, OAuth 2.0, the normalized event model.
        .target(
            name: "CRMSyncProviders",
            dependencies: [
                "CCurl",
                "CRMSyncSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // A local emulator of the providers' HTTP APIs (tests, demo, no-credential use).
        .target(
            name: "ProviderSandbox",
            dependencies: [
                "CRMSyncMIME",
                "CRMSyncSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Two-way calendar sync of one account, and the worker that schedules accounts.
        .target(
            name: "CRMSyncEngine",
            dependencies: [
                "CRMSyncDatabase",
                "CRMSyncProviders",
                "CRMSyncSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Mail: IMAP mailboxes (iCloud, any IMAP server) per folder, Gmail and Outlook through
        // their APIs; the outbox sent exactly once, account connect, and the mail worker.
        .target(
            name: "CRMSyncMail",
            dependencies: [
                "CRMSyncDatabase",
                "CRMSyncMIME",
                "CRMSyncProviders",
                "CRMSyncSupport",
                "MailTransport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // `crmsync serve`: the backend API, the OAuth callback, webhooks, health and metrics.
        .target(
            name: "CRMSyncServer",
            dependencies: [
                "CRMSyncEngine",
                "CRMSyncDatabase",
                "CRMSyncMail",
                "CRMSyncMIME",
                "CRMSyncProviders",
                "CRMSyncSupport",
                "MailTransport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("openapi.json")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "crmsync",
            dependencies: [
                "CRMSyncServer",
                "CRMSyncSupport",
                "CRMSyncEngine",
                "CRMSyncDatabase",
                "CRMSyncMail",
                "CRMSyncProviders",
                "MailTransport",
                "ProviderSandbox",
                "PostgresClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // `crmsync-bench`: the speed figures, kept out of the service's executable. It works in its
        // own schema and a throwaway organization of the database it is pointed at, and drops both.
        .executableTarget(
            name: "CRMSyncBench",
            dependencies: [
                "CRMSyncEngine",
                "CRMSyncMail",
                "MailTransport",
                "CRMSyncSupport",
                "CRMSyncDatabase",
                "CRMSyncProviders",
                "ProviderSandbox",
                "PostgresClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Scratch databases for the test targets: created, migrated, seeded and dropped per test;
        // and the runner of the built executables.
        .target(
            name: "CRMSyncTestSupport",
            dependencies: [
                "CRMSyncDatabase", "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Support",
            swiftSettings: strict
        ),
        // The one sandbox starter of the test targets (no database, so the provider tests can use it).
        .target(
            name: "CRMSyncSandboxSupport",
            dependencies: [
                "CRMSyncProviders",
                "ProviderSandbox",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SandboxSupport",
            swiftSettings: strict
        ),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient"], swiftSettings: strict),
        // Against the loopback Dovecot and SMTP capture server of scripts/mail-servers.sh.
        .testTarget(
            name: "MailTransportTests",
            dependencies: ["MailTransport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(name: "CRMSyncMIMETests", dependencies: ["CRMSyncMIME"], swiftSettings: strict),
        .testTarget(
            name: "CRMSyncDatabaseTests",
            dependencies: ["CRMSyncDatabase", "CRMSyncTestSupport", "PostgresClient"],
            swiftSettings: strict
        ),
        // The executables as an operator runs them (`.build/debug/crmsync` and `crmsync-bench`,
        // built with the tests).
        .testTarget(
            name: "CRMSyncCLITests",
            dependencies: [
                "CRMSyncDatabase", "CRMSyncTestSupport", "CRMSyncSandboxSupport", "PostgresClient",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CRMSyncProvidersTests",
            dependencies: ["CRMSyncProviders", "CRMSyncSupport", "CRMSyncSandboxSupport", "ProviderSandbox"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CRMSyncEngineTests",
            dependencies: [
                "CRMSyncEngine", "CRMSyncDatabase", "CRMSyncProviders", "CRMSyncSupport", "CRMSyncTestSupport", "PostgresClient",
                "CRMSyncSandboxSupport", "ProviderSandbox",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Mail against the loopback Dovecot and SMTP servers scripts/mail-servers.sh starts.
        .testTarget(
            name: "CRMSyncMailTests",
            dependencies: [
                "CRMSyncMail", "CRMSyncDatabase", "CRMSyncProviders", "CRMSyncSupport", "CRMSyncTestSupport", "MailTransport",
                "PostgresClient", "CRMSyncSandboxSupport", "ProviderSandbox",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CRMSyncServerTests",
            dependencies: [
                "CRMSyncServer", "CRMSyncDatabase", "CRMSyncEngine", "CRMSyncMail", "CRMSyncProviders", "CRMSyncSupport",
                "CRMSyncTestSupport", "CRMSyncSandboxSupport", "PostgresClient", "ProviderSandbox",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ProviderSandboxTests",
            dependencies: [
                "ProviderSandbox",
                "CRMSyncSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
