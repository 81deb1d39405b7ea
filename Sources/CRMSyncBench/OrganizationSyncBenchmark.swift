import CRMSyncDatabase
import CRMSyncSupport
import Foundation
import PostgresClient

/// Does a no-change sync cost more the bigger the organization? In one run: small organizations
/// and a large one of connected accounts (the same number of events each, in the in-process
/// sandbox), their first syncs through one worker, then one round of no-change syncs each,
/// timed: accounts per second, Postgres time per run (the database's `active_time`, claims
/// and leases included; the worker's wait for its statements besides) and the buffers a run
/// reads; large against small. Then the buffers one claim reads with every account scheduled
/// later (ClaimBuffers).
struct OrganizationSyncBenchmark {
    let settings: DatabaseSettings
    let key: SecretKey
    let small: Int
    let large: Int
    let eventsPerAccount: Int
    let say: @Sendable (String) -> Void

    struct OrganizationFigures: Codable {
        var accounts = 0
        /// Organizations of this size measured; the figures are over all their runs.
        var organizations = 0
        var first_sync_accounts_per_second = 0.0
        var nochange_accounts_per_second = 0.0
        /// Time the database spent running the round's statements (`active_time`), per run.
        var nochange_postgres_ms_per_run = 0.0
        /// CPU time of the worker's sessions, per run (-1: the server is not on this machine).
        var nochange_postgres_cpu_ms_per_run = 0.0
        /// Time the worker waited for its statements (client side, 4 at once), per run.
        var nochange_statement_wait_ms_per_run = 0.0
        var nochange_statements_per_run = 0.0
        var nochange_blocks_per_run = 0.0
        var nochange_appointment_blocks_per_run = 0.0

        init() {}

        init(accounts: Int, organizations: Int, first: OrganizationSyncRound.Result, noChange: OrganizationSyncRound.Result) {
            self.accounts = accounts
            self.organizations = organizations
            self.first_sync_accounts_per_second = first.accountsPerSecond
            self.nochange_accounts_per_second = noChange.accountsPerSecond
            self.nochange_postgres_ms_per_run = noChange.perRun(noChange.postgresMilliseconds)
            self.nochange_postgres_cpu_ms_per_run = noChange.postgresCPUMilliseconds.map { noChange.perRun($0) } ?? -1
            self.nochange_statement_wait_ms_per_run = noChange.perRun(noChange.statementMilliseconds)
            self.nochange_statements_per_run = noChange.perRun(noChange.statements)
            self.nochange_blocks_per_run = noChange.perRun(noChange.blocks)
            self.nochange_appointment_blocks_per_run = noChange.perRun(noChange.appointmentBlocks)
        }
    }

    struct Figures: Codable {
        var small = OrganizationFigures()
        var large = OrganizationFigures()
        /// Postgres time per no-change run, large over small (target <= 1.2): CPU time of the
        /// sessions when the server is on this machine, else the database's active time.
        var postgres_time_ratio = 0.0
        /// Which of the two the ratio is ("cpu" or "active").
        var postgres_time_measure = ""
        /// Buffers one claim reads when no account is due, and when one is.
        var claim_blocks_none_due = 0
        var claim_blocks_one_due = 0
        var claim_accounts_in_table = 0
    }

    /// Small organizations measured, half before the large one and half after: one is over in
    /// half a second, at the mercy of whatever else the machine does then.
    static let smallOrganizations = 4

    func run() async throws -> Figures {
        try await Benchmark.withFixture(self.settings) { first, admin in
            var fixtures = [first]
            do {
                for _ in 0..<Self.smallOrganizations { fixtures.append(try await BenchmarkFixture.create(on: admin)) }
                let figures = try await self.measure(small: Array(fixtures[1...]), large: first, admin: admin)
                for fixture in fixtures.dropFirst() { try await fixture.drop(on: admin) }
                return figures
            } catch {
                for fixture in fixtures.dropFirst() { try? await fixture.drop(on: admin) }
                throw error
            }
        }
    }

    private func measure(small: [BenchmarkFixture], large: BenchmarkFixture, admin: PostgresConnection) async throws -> Figures {
        try await Self.refuseOtherDueAccounts(except: (small + [large]).map(\.organization), admin: admin)
        return try await BenchmarkSandbox.run { sandbox in
            let round = OrganizationSyncRound(settings: self.settings, key: self.key, sandbox: sandbox, admin: admin)
            let half = small.count / 2
            let order = small[..<half].map { ($0, self.small) } + [(large, self.large)] + small[half...].map { ($0, self.small) }
            var smallFirst = OrganizationSyncRound.Result(), smallNoChange = OrganizationSyncRound.Result()
            var largeFirst = OrganizationSyncRound.Result(), largeNoChange = OrganizationSyncRound.Result()
            for (fixture, size) in order {
                try await OAuthClientRegistry.set(
                    provider: "google", clientID: "sandbox-client", clientSecret: "sandbox-secret",
                    organization: fixture.organization, key: self.key, on: admin)
                self.say("connecting \(size) accounts of \(self.eventsPerAccount) events in one organization…")
                let accounts = try await round.connect(size, events: self.eventsPerAccount, in: fixture)
                self.say("first syncs of \(size) accounts (one worker, 4 slots), then a round of no-change syncs…")
                let (first, noChange) = try await round.measure(accounts, organization: fixture.organization)
                if fixture.organization == large.organization {
                    (largeFirst, largeNoChange) = (first, noChange)
                } else {
                    (smallFirst, smallNoChange) = (smallFirst + first, smallNoChange + noChange)
                }
            }
            var figures = Figures()
            figures.small = OrganizationFigures(accounts: self.small, organizations: small.count, first: smallFirst, noChange: smallNoChange)
            figures.large = OrganizationFigures(accounts: self.large, organizations: 1, first: largeFirst, noChange: largeNoChange)
            let cpu = figures.small.nochange_postgres_cpu_ms_per_run > 0 && figures.large.nochange_postgres_cpu_ms_per_run > 0
            figures.postgres_time_measure = cpu ? "cpu" : "active"
            figures.postgres_time_ratio =
                cpu
                ? figures.large.nochange_postgres_cpu_ms_per_run / figures.small.nochange_postgres_cpu_ms_per_run
                : figures.large.nochange_postgres_ms_per_run / max(figures.small.nochange_postgres_ms_per_run, 1e-9)
            self.say("the buffers of one claim…")
            let claim = try await ClaimBuffers.measure(organizations: [large.organization] + small.map(\.organization), admin: admin)
            figures.claim_blocks_none_due = claim.noneDue
            figures.claim_blocks_one_due = claim.oneDue
            figures.claim_accounts_in_table = claim.accounts
            return figures
        }
    }

    /// The worker claims across organizations: one that would sync other tenants' accounts
    /// (due now) must not run here.
    static func refuseOtherDueAccounts(except organizations: [UUID], admin: PostgresConnection) async throws {
        let rows = try await admin.query(
            """
            select count(*) from public.calendar_accounts a
             where a.sync_enabled and a.connection_status in ('connected', 'error')
               and (a.next_sync_at is null or a.next_sync_at <= now() + interval '1 hour' or a.sync_requested_at is not null)
               and a.organization_id <> all(\(organizations))
            """)
        let others = try rows.first?.decode(Int.self, at: 0) ?? 0
        guard others == 0 else {
            throw BenchmarkError(
                "\(others) calendar accounts of other organizations are due within the hour and the worker would sync them; run on a database of its own")
        }
    }
}

extension BenchReportFormatter {
    static func render(_ f: OrganizationSyncBenchmark.Figures) -> String {
        func fixed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
        let (s, l) = (f.small, f.large)
        let cpu = { (value: Double) in value < 0 ? "-" : fixed(value) }
        let target = fixed(f.postgres_time_ratio)
        let verdict = f.postgres_time_ratio <= 1.2 ? "met (<= 1.2)" : "MISSED (<= 1.2)"
        let rows: [[String]] = [
            ["first syncs (accounts/s)", fixed(s.first_sync_accounts_per_second, 1), fixed(l.first_sync_accounts_per_second, 1), "", ""],
            ["no-change round (accounts/s)", fixed(s.nochange_accounts_per_second, 1), fixed(l.nochange_accounts_per_second, 1), "", ""],
            ["no-change run: Postgres CPU ms", cpu(s.nochange_postgres_cpu_ms_per_run), cpu(l.nochange_postgres_cpu_ms_per_run),
             f.postgres_time_measure == "cpu" ? target : "", f.postgres_time_measure == "cpu" ? verdict : ""],
            ["  Postgres active time ms", fixed(s.nochange_postgres_ms_per_run), fixed(l.nochange_postgres_ms_per_run),
             fixed(l.nochange_postgres_ms_per_run / max(s.nochange_postgres_ms_per_run, 1e-9)), f.postgres_time_measure == "cpu" ? "" : verdict],
            ["  statement wait (client side)", fixed(s.nochange_statement_wait_ms_per_run), fixed(l.nochange_statement_wait_ms_per_run),
             fixed(l.nochange_statement_wait_ms_per_run / max(s.nochange_statement_wait_ms_per_run, 1e-9)), ""],
            ["no-change run: statements", fixed(s.nochange_statements_per_run, 1), fixed(l.nochange_statements_per_run, 1), "", ""],
            ["no-change run: buffers, all tables", fixed(s.nochange_blocks_per_run, 0), fixed(l.nochange_blocks_per_run, 0),
             fixed(l.nochange_blocks_per_run / max(s.nochange_blocks_per_run, 1e-9)), ""],
            ["no-change run: appointment blocks", fixed(s.nochange_appointment_blocks_per_run, 0),
             fixed(l.nochange_appointment_blocks_per_run, 0), "", ""],
        ]
        var text = TextTable.render(
            columns: ["figure", "\(s.accounts) accounts (\(s.organizations) orgs)", "\(l.accounts) accounts", "ratio", "target"], rows: rows)
        text += "\none claim over \(f.claim_accounts_in_table) accounts: \(f.claim_blocks_none_due) buffers with none due, "
        text += "\(f.claim_blocks_one_due) with one due"
        return text
    }
}
