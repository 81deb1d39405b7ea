import CRMSyncDatabase
import CRMSyncMail
import CRMSyncProviders
import CRMSyncSupport
import Foundation
import Logging
import PostgresClient

/// The Gmail and Outlook mail figures, measured side by side in one run against the in-process
/// sandbox: per provider, a full import of a large mailbox (messages per second) and the
/// no-change sync of a large and a small mailbox (provider requests and time ratio).
struct MailAPIBenchmark {
    let settings: DatabaseSettings
    let key: SecretKey
    let messages: Int
    let say: @Sendable (String) -> Void

    struct ProviderFigures: Codable {
        var full_import_messages_per_second = 0.0
        var nochange_requests_large = 0
        var nochange_requests_small = 0
        var nochange_size_ratio = 0.0
    }

    struct Figures: Codable {
        var gmail = ProviderFigures()
        var outlook = ProviderFigures()
    }

    /// Mailbox sizes besides the large one.
    static let small = 20

    func run() async throws -> Figures {
        try await Benchmark.withFixture(self.settings) { fixture, admin in
            let pool = PostgresPool(configuration: self.settings.app, maxConnections: 3)
            defer { Task { await pool.close() } }
            return try await BenchmarkSandbox.run { sandbox in
                for name in ["google", "microsoft"] {
                    try await OAuthClientRegistry.set(
                        provider: name, clientID: "sandbox-client", clientSecret: "sandbox-secret",
                        organization: fixture.organization, key: self.key, on: admin)
                }
                let tenant = TenantDatabase(pool: pool, secretKey: self.key)
                var figures = Figures()
                figures.gmail = try await self.measure(.gmail, sandbox: sandbox, fixture: fixture, tenant: tenant, admin: admin)
                figures.outlook = try await self.measure(.outlook, sandbox: sandbox, fixture: fixture, tenant: tenant, admin: admin)
                return figures
            }
        }
    }

    private func measure(
        _ provider: APIMailProvider, sandbox: BenchmarkSandbox, fixture: BenchmarkFixture, tenant: TenantDatabase,
        admin: PostgresConnection
    ) async throws -> ProviderFigures {
        let quiet = Logger(label: "crmsync.bench") { _ in SwiftLogNoOpLogHandler() }
        let engine = MailSyncEngine(database: tenant, api: MailAPIAccess(database: tenant, endpoints: sandbox.endpoints, logger: quiet), logger: quiet)
        var accounts: [Int: (id: UUID, owner: Identity)] = [:]
        for size in [self.messages, Self.small] {
            let owner = try await fixture.person(on: admin)
            let email = "bench-\(provider.rawValue)-\(size)-\(UUID().uuidString.prefix(6).lowercased())@bench.example"
            self.say("filling a sandbox \(provider.rawValue) mailbox with \(size) messages…")
            try await self.fill(sandbox, provider: provider, email: email, count: size)
            let tokens = try await sandbox.authorize(email: email, provider: provider.oauthProvider, features: [.mailRead, .mailSend])
            let id = try await EmailStore(database: tenant).connect(
                EmailAccountSettings(provider: provider.rawValue, email: email),
                secrets: EmailAccountSecrets(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt),
                as: owner)
            accounts[size] = (id, owner)
        }
        guard let big = accounts[self.messages], let small = accounts[Self.small] else { throw BenchmarkError("accounts missing") }
        var figures = ProviderFigures()
        self.say("full import of \(self.messages) \(provider.rawValue) messages from the sandbox over HTTP…")
        let clock = ContinuousClock()
        var report: MailSyncReport?
        let elapsed = try await clock.measure { report = try await engine.sync(account: big.id, as: big.owner) }
        guard let report, report.imported == self.messages else {
            throw BenchmarkError("the full import brought \(report?.imported ?? 0) of \(self.messages) messages: \(report?.errors.map(\.message) ?? [])")
        }
        figures.full_import_messages_per_second = Double(self.messages) / (elapsed / .seconds(1))
        _ = try await engine.sync(account: small.id, as: small.owner)

        self.say("no-change syncs (\(self.messages) and \(Self.small) messages, median of 5 each)…")
        var times: [UUID: [Double]] = [:]
        for round in 0..<5 {
            for account in [big, small] {
                try await sandbox.control("DELETE", "requests")
                var run: MailSyncReport?
                let seconds = try await clock.measure { run = try await engine.sync(account: account.id, as: account.owner) } / .seconds(1)
                guard let run, run.status == .success, run.imported + run.updated + run.deleted == 0 else {
                    throw BenchmarkError("a no-change sync changed something: \(run.map { "\($0.imported)/\($0.updated)/\($0.deleted)" } ?? "-")")
                }
                times[account.id, default: []].append(seconds)
                if round == 0 {
                    let requests = try await sandbox.providerRequests()
                    if account.id == big.id { figures.nochange_requests_large = requests } else { figures.nochange_requests_small = requests }
                }
            }
        }
        let median = { (id: UUID) in (times[id] ?? [0]).sorted()[(times[id]?.count ?? 1) / 2] }
        figures.nochange_size_ratio = median(big.id) / max(median(small.id), 1e-9)
        return figures
    }

    /// `count` small messages delivered into the sandbox mailbox, eight at a time.
    private func fill(_ sandbox: BenchmarkSandbox, provider: APIMailProvider, email: String, count: Int) async throws {
        let path = "\(provider == .gmail ? "google" : "microsoft")/users/\(email)/messages"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                if index >= 8 { try await group.next() }
                group.addTask {
                    let mime =
                        "From: Sender \(index % 50) <s\(index % 50)@example.test>\r\nTo: \(email)\r\nSubject: Bench message \(index)\r\n"
                        + "Message-ID: <bench-\(index)-\(UUID().uuidString)@example.test>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
                        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                        + String(repeating: "Bench body line \(index).\r\n", count: 20)
                    try await sandbox.control("POST", path, ["mime": mime])
                }
            }
            try await group.waitForAll()
        }
    }
}

extension BenchReportFormatter {
    static func render(_ f: MailAPIBenchmark.Figures, messages: Int) -> String {
        func fixed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
        var rows: [[String]] = []
        for (name, p, target) in [("Gmail", f.gmail, 1), ("Outlook", f.outlook, 2)] {
            rows += [
                ["\(name): full import of \(messages) messages", fixed(p.full_import_messages_per_second, 0) + " messages/s", "(reported)", ""],
                ["\(name): no-change sync requests (\(messages) / \(MailAPIBenchmark.small))",
                 "\(p.nochange_requests_large) / \(p.nochange_requests_small)", "\(target)",
                 p.nochange_requests_large == target && p.nochange_requests_small == target ? "met" : "MISSED"],
                ["\(name): no-change sync, \(messages) vs \(MailAPIBenchmark.small) messages (time)", fixed(p.nochange_size_ratio), "<= 1.2",
                 p.nochange_size_ratio <= 1.2 ? "met" : "MISSED"],
            ]
        }
        return TextTable.render(columns: ["figure", "measured", "target", ""], rows: rows)
    }
}
