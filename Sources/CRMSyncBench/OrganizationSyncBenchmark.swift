import CRMSyncDatabase
import CRMSyncSupport
import Foundation
import PostgresClient

/// Does a no-change sync cost more the bigger the organization? In one run: a small and a large
/// organization of connected accounts (the same number of events each, in the in-process
/// sandbox), their first syncs through one worker, then one round of no-change syncs each,
/// timed: accounts per second, Postgres time per run (the time the run's statements took,
/// claims and leases included) and the appointment blocks a run reads; large against small.
/// Then the buffers one claim reads with every account scheduled later.
struct OrganizationSyncBenchmark {
    let settings: DatabaseSettings
    let key: SecretKey
    let small: Int
    let large: Int
    let eventsPerAccount: Int
    let say: @Sendable (String) -> Void

    struct OrganizationFigures: Codable {
        var accounts = 0
        var first_sync_accounts_per_second = 0.0
        var nochange_accounts_per_second = 0.0
        var nochange_postgres_ms_per_run = 0.0
        var nochange_statements_per_run = 0.0
        var nochange_appointment_blocks_per_run = 0.0
    }

    struct Figures: Codable {
        var small = OrganizationFigures()
        var large = OrganizationFigures()
        /// Postgres time per no-change run, large over small (target <= 1.2).
        var postgres_time_ratio = 0.0
        /// Buffers one claim reads when no account is due, and when one is.
        var claim_blocks_none_due = 0
        var claim_blocks_one_due = 0
        var claim_accounts_in_table = 0
    }

    func run() async throws -> Figures {
        try await Benchmark.withFixture(self.settings) { first, admin in
            let second = try await BenchmarkFixture.create(on: admin)
            do {
                let figures = try await self.measure(small: first, large: second, admin: admin)
                try await second.drop(on: admin)
                return figures
            } catch {
                try? await second.drop(on: admin)
                throw error
            }
        }
    }

    private func measure(small: BenchmarkFixture, large: BenchmarkFixture, admin: PostgresConnection) async throws -> Figures {
        try await Self.refuseOtherDueAccounts(except: [small.organization, large.organization], admin: admin)
        return try await BenchmarkSandbox.run { sandbox in
            var figures = Figures()
            let round = OrganizationSyncRound(settings: self.settings, key: self.key, sandbox: sandbox, admin: admin)
            for (fixture, size) in [(small, self.small), (large, self.large)] {
                try await OAuthClientRegistry.set(
                    provider: "google", clientID: "sandbox-client", clientSecret: "sandbox-secret",
                    organization: fixture.organization, key: self.key, on: admin)
                self.say("connecting \(size) accounts of \(self.eventsPerAccount) events in one organization…")
                let accounts = try await round.connect(size, events: self.eventsPerAccount, in: fixture)
                self.say("first syncs of \(size) accounts (one worker, 4 slots)…")
                let firstRound = try await round.run(accounts, organization: fixture.organization, expectNoChange: false)
                self.say("a round of no-change syncs of \(size) accounts…")
                try await round.makeDue(fixture.organization)
                let noChange = try await round.run(accounts, organization: fixture.organization, expectNoChange: true)
                var result = OrganizationFigures()
                result.accounts = size
                result.first_sync_accounts_per_second = firstRound.accountsPerSecond
                result.nochange_accounts_per_second = noChange.accountsPerSecond
                result.nochange_postgres_ms_per_run = noChange.postgresMillisecondsPerRun
                result.nochange_statements_per_run = noChange.statementsPerRun
                result.nochange_appointment_blocks_per_run = noChange.appointmentBlocksPerRun
                if fixture.organization == small.organization { figures.small = result } else { figures.large = result }
            }
            figures.postgres_time_ratio = figures.large.nochange_postgres_ms_per_run / max(figures.small.nochange_postgres_ms_per_run, 1e-9)
            self.say("the buffers of one claim…")
            let claim = try await ClaimBuffers.measure(organization: large.organization, admin: admin)
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
        let rows: [[String]] = [
            ["first syncs (accounts/s)", fixed(s.first_sync_accounts_per_second, 1), fixed(l.first_sync_accounts_per_second, 1), "", ""],
            ["no-change round (accounts/s)", fixed(s.nochange_accounts_per_second, 1), fixed(l.nochange_accounts_per_second, 1), "", ""],
            ["no-change run: Postgres ms", fixed(s.nochange_postgres_ms_per_run), fixed(l.nochange_postgres_ms_per_run),
             fixed(f.postgres_time_ratio), f.postgres_time_ratio <= 1.2 ? "met (<= 1.2)" : "MISSED (<= 1.2)"],
            ["no-change run: statements", fixed(s.nochange_statements_per_run, 1), fixed(l.nochange_statements_per_run, 1), "", ""],
            ["no-change run: appointment blocks", fixed(s.nochange_appointment_blocks_per_run, 0),
             fixed(l.nochange_appointment_blocks_per_run, 0), "", ""],
        ]
        var text = TextTable.render(
            columns: ["figure", "\(s.accounts) accounts", "\(l.accounts) accounts", "ratio", "target"], rows: rows)
        text += "\none claim over \(f.claim_accounts_in_table) accounts: \(f.claim_blocks_none_due) buffers with none due, "
        text += "\(f.claim_blocks_one_due) with one due"
        return text
    }
}
