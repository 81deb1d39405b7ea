import CRMSyncDatabase
import CRMSyncProviders
import CRMSyncSandboxSupport
import CRMSyncServer
import CRMSyncSupport
import CRMSyncTestSupport
import Foundation
import JWTKit
import Logging
import PostgresClient
import ProviderSandbox
import Testing

/// One test's world: a scratch database (migrated, demo data seeded, the sandbox's OAuth
/// client registered), a ProviderSandbox and a running `crmsync serve` on free loopback
/// ports, a movable service clock, and a client that speaks real HTTP without following
/// redirects (so tests see each hop of a browser flow).
struct ServerHarness: Sendable {
    let database: TestDatabase
    let sandbox: URL
    let server: URL
    let clock: TestClock
    let dependencies: ServerDependencies
    /// The running `crmsync serve` (cancel it to stop the server, as a SIGTERM would).
    let serverTask: Task<Void, any Error>

    /// The HS256 secret the server verifies callers' tokens with.
    static let jwtSecret = "crmsync-test-jwt-secret-0123456789abcdef"

    /// Runs `body` with everything up; `worker: true` also runs the sync worker in the server.
    static func with<T>(
        _ label: String, worker: Bool = false, configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: (ServerHarness) async throws -> T
    ) async throws -> T {
        try await TestDatabase.with(label) { database in
            try await database.registerSandboxOAuthClients()
            return try await SandboxServer.run(seed: 7) { sandbox in
                let clock = TestClock()
                var quiet = Logger(label: "crmsync.serve.test")
                quiet.logLevel = .critical
                // The public URL is known only once the server listens; a fixed free port avoids the chicken-and-egg.
                let port = try FreePort.pick()
                var configuration = ServerConfiguration(
                    host: "127.0.0.1", port: port, publicBaseURL: URL(string: "http://127.0.0.1:\(port)")!,
                    returnURL: URL(string: "http://crm.invalid/after-connect")!,
                    jwt: .init(hmacSecret: Self.jwtSecret, jwksJSON: nil), runWorker: worker, workerConcurrency: 2,
                    workerPollInterval: .seconds(60))
                configuration.runMailWorker = false  // the mail suites drive their syncs themselves
                configure(&configuration)
                let endpoints = ProviderEndpoints.sandbox(sandbox)
                let metrics = ServiceMetrics()
                let dependencies = ServerDependencies(
                    configuration: configuration, database: database.tenant(maxConnections: 4), endpoints: endpoints,
                    http: ServerDependencies.measuredHTTP(endpoints: endpoints, metrics: metrics, logger: quiet),
                    metrics: metrics, migrations: Migrator(files: try MigrationFile.load(root: database.root)),
                    now: { clock.now() }, logger: quiet)
                let application = try await CRMSyncServer(dependencies: dependencies).buildApplication(workerName: "test-\(label)") { _ in }
                let running = Task { try await application.runService() }
                defer { running.cancel() }
                let harness = ServerHarness(
                    database: database, sandbox: sandbox, server: URL(string: "http://127.0.0.1:\(port)")!, clock: clock,
                    dependencies: dependencies, serverTask: running)
                try await harness.waitUntilListening()
                return try await body(harness)
            }
        }
    }

    /// Stops this harness's server and waits until it has shut down.
    func stopServer() async {
        self.serverTask.cancel()
        _ = await self.serverTask.result
    }

    /// A new `crmsync serve` on the same database and sandbox (a fresh pool, fresh metrics, a
    /// new port): what a restarted process would be. Stop it with `stopServer()`.
    func startAnotherServer() async throws -> ServerHarness {
        let port = try FreePort.pick()
        var dependencies = self.dependencies
        dependencies.configuration.port = port
        dependencies.configuration.publicBaseURL = URL(string: "http://127.0.0.1:\(port)")!
        dependencies.database = self.database.tenant(maxConnections: 4)
        dependencies.metrics = ServiceMetrics()
        let application = try await CRMSyncServer(dependencies: dependencies).buildApplication(workerName: "test-restarted") { _ in }
        let running = Task { try await application.runService() }
        let harness = ServerHarness(
            database: self.database, sandbox: self.sandbox, server: URL(string: "http://127.0.0.1:\(port)")!, clock: self.clock,
            dependencies: dependencies, serverTask: running)
        do {
            try await harness.waitUntilListening()
        } catch {
            running.cancel()
            throw error
        }
        return harness
    }

    private func waitUntilListening() async throws {
        for _ in 0..<200 {
            if let response = try? await self.send("GET", "/healthz"), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestSetupError("crmsync serve did not start listening")
    }

    // MARK: callers

    /// A caller's token, HS256-signed with `secret` (the server's unless a test forges one).
    func token(
        for user: UUID, audience: String = "authenticated", expiresIn: TimeInterval = 3600, notBefore: Date? = nil,
        secret: String = ServerHarness.jwtSecret
    ) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        let claims = TestClaims(
            sub: .init(value: user.uuidString.lowercased()), exp: .init(value: self.clock.now().addingTimeInterval(expiresIn)),
            nbf: notBefore.map { .init(value: $0) }, aud: .init(value: [audience]), role: "authenticated")
        return try await keys.sign(claims)
    }

    /// An API call as `user` in `organization` (a valid token unless `token` is given).
    func api(
        _ method: String, _ path: String, as user: UUID, in organization: UUID, json: Any? = nil, token: String? = nil
    ) async throws -> HTTPResponse {
        var headers = ["X-Organization-Id": organization.uuidString.lowercased()]
        let bearer: String
        if let token { bearer = token } else { bearer = try await self.token(for: user) }
        headers["Authorization"] = "Bearer \(bearer)"
        var body: Data?
        if let json {
            body = try JSONSerialization.data(withJSONObject: json)
            headers["Content-Type"] = "application/json"
        }
        return try await self.send(method, path, headers: headers, body: body)
    }

    /// Any request to the server, redirects not followed.
    func send(_ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil) async throws -> HTTPResponse {
        try await Self.transport.send(
            HTTPRequest(method: method, url: URL(string: self.server.absoluteString + path)!, headers: headers, body: body))
    }

    /// Any URL (the sandbox's authorization page, a redirect's target), redirects not followed.
    func get(_ url: URL) async throws -> HTTPResponse {
        try await Self.transport.send(HTTPRequest(method: "GET", url: url))
    }

    static let transport = URLSessionTransport(defaultTimeout: .seconds(20), followsRedirects: false)

    /// The sandbox's control API (`/_sandbox/…`); returns the JSON answer.
    @discardableResult
    func sandboxControl(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let response = try await Self.transport.send(
            HTTPRequest(
                method: method, url: URL(string: self.sandbox.absoluteString + "/_sandbox/" + path)!,
                headers: ["Content-Type": "application/json"], body: data))
        guard response.isSuccess else { throw TestSetupError("sandbox control \(method) \(path) answered \(response.status)") }
        guard !response.body.isEmpty else { return [:] }
        return (try JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:]
    }

    /// One value from the database as the administrator (first column of the first row, as text).
    @discardableResult
    func scalar(_ sql: SQL) async throws -> String? {
        let connection = try await self.database.adminConnection()
        return try await connection.query(sql).first?.decode(String?.self, at: 0)
    }

    /// An md5 over every tenant table's rows, to prove a refused request changed nothing.
    func fingerprint() async throws -> String {
        try await self.scalar(
            """
            select md5(string_agg(t, '|' order by t)) from (
              select 'a' || md5(coalesce(string_agg(x::text, ',' order by x.id), '')) as t from public.calendar_accounts x
              union all select 'p' || md5(coalesce(string_agg(x::text, ',' order by x.id), '')) from public.appointments x
              union all select 'm' || md5(coalesce(string_agg(x::text, ',' order by x.id), '')) from public.calendar_event_mappings x
              union all select 'c' || md5(coalesce(string_agg(x::text, ',' order by x.id), '')) from public.calendar_conflicts x
              union all select 'l' || md5(coalesce(string_agg(x::text, ',' order by x.id), '')) from public.calendar_sync_log x
              union all select 'e' || md5(coalesce(string_agg(x::text, ',' order by x.id), '')) from public.email_accounts x
              union all select 'g' || md5(coalesce(string_agg(x::text, ',' order by x.id), '')) from public.email_messages x
              union all select 'o' || md5(coalesce(string_agg(x::text, ',' order by x.id), '')) from public.email_outbox x
              -- Channels without their delivery counters: the provider's own `sync` message may land at any time.
              union all select 'h' || md5(coalesce(string_agg(concat_ws(':', x.id, x.status, x.external_id, x.expires_at, x.calendar_id), ','
                                                              order by x.id), '')) from public.calendar_push_channels x
            ) s
            """) ?? ""
    }
}

/// The claims a CRM backend's token carries (Supabase's shape).
struct TestClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim?
    var aud: AudienceClaim
    var role: String

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The service clock of a test: the real time plus an offset the test moves.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var offset: TimeInterval = 0

    func now() -> Date { self.lock.withLock { Date().addingTimeInterval(self.offset) } }
    func advance(by seconds: TimeInterval) { self.lock.withLock { self.offset += seconds } }
}
