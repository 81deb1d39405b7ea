import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// `crmsync-bench --org-sync` runs the worker over a small and a larger organization and reports
/// each figure, without leaving anything behind. (Nothing here times anything: the figures are
/// checked for presence and plausibility only.)
@Suite("crmsync-bench --org-sync")
struct OrganizationSyncBenchTests {
    @Test("--json prints both organizations' figures and the claim's buffers; the database is left as it was")
    func printsEveryFigure() async throws {
        try await TestDatabase.with("bench_org") { database in
            try await CommandLineRunner.withEnvironment(for: database) { environment in
                let admin = try await database.adminConnection()
                // the worker claims across tenants: the seed's accounts are scheduled later first
                try await admin.query("update public.calendar_accounts set next_sync_at = now() + interval '1 day', sync_requested_at = null")
                let before = try await BenchCommandTests.footprint(admin)

                let outcome = try await CommandLineRunner.run(
                    CommandLineRunner.benchExecutable, ["--org-sync", "--org-accounts", "60", "--json"], environment: environment)
                #expect(outcome.status == 0, "\(outcome.output)")
                let json = try #require(outcome.output.firstIndex(of: "{").map { String(outcome.output[$0...]) }, "\(outcome.output)")
                let figures = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
                for (name, accounts) in [("small", 50), ("large", 60)] {
                    let organization = try #require(figures[name] as? [String: Any], "\(name) missing in \(json)")
                    let number = { (key: String) in (organization[key] as? NSNumber)?.doubleValue ?? -1 }
                    #expect(number("accounts") == Double(accounts))
                    for key in [
                        "first_sync_accounts_per_second", "nochange_accounts_per_second", "nochange_postgres_ms_per_run",
                        "nochange_statement_wait_ms_per_run", "nochange_statements_per_run", "nochange_blocks_per_run",
                    ] {
                        #expect(number(key) > 0, "\(name).\(key) in \(json)")
                    }
                    // CPU time of the sessions where the server is local (as here), -1 otherwise
                    #expect(number("nochange_postgres_cpu_ms_per_run") > 0, "\(name) in \(json)")
                    // a no-change run reads next to nothing of the appointments (its user's, unchanged)
                    #expect((0..<50).contains(number("nochange_appointment_blocks_per_run")), "\(name) in \(json)")
                }
                #expect(((figures["postgres_time_ratio"] as? NSNumber)?.doubleValue ?? 0) > 0)
                #expect(figures["postgres_time_measure"] as? String == "cpu", "\(json)")
                // (what a claim reads is checked by Tests/sql/calendar_claim_test.sql)
                #expect(((figures["claim_blocks_none_due"] as? NSNumber)?.intValue ?? 0) > 0)
                #expect(((figures["claim_blocks_one_due"] as? NSNumber)?.intValue ?? 0) > 0)
                #expect(((figures["claim_accounts_in_table"] as? NSNumber)?.intValue ?? 0) >= 110)

                // both organizations are gone with everything in them (the audit trail, append-only,
                // keeps what they did)
                let after = try await BenchCommandTests.footprint(admin)
                #expect(after.rows.filter { $0.key != "public.audit_log" } == before.rows.filter { $0.key != "public.audit_log" })
                #expect(after.relations == before.relations, "relations added: \(after.relations.subtracting(before.relations).sorted())")
                #expect(after.schemas == before.schemas)
            }
        }
    }

    @Test("where another tenant's account is due, the worker would sync it: refused with one line, nothing left behind")
    func refusesOtherDueAccounts() async throws {
        try await TestDatabase.with("bench_org_due") { database in
            try await CommandLineRunner.withEnvironment(for: database) { environment in
                let admin = try await database.adminConnection()
                try await admin.query("update public.calendar_accounts set next_sync_at = now() - interval '1 minute'")
                let before = try await BenchCommandTests.footprint(admin)
                let outcome = try await CommandLineRunner.run(
                    CommandLineRunner.benchExecutable, ["--org-sync", "--org-accounts", "60"], environment: environment)
                #expect(outcome.status != 0)
                #expect(outcome.output.contains("of other organizations are due"), "\(outcome.output)")
                let after = try await BenchCommandTests.footprint(admin)
                #expect(after.rows.filter { $0.key != "public.audit_log" } == before.rows.filter { $0.key != "public.audit_log" })
                let untouched = try await admin.query(
                    "select count(*) from public.calendar_accounts where next_sync_at > now() or lease_owner is not null")
                #expect(try untouched.first?.decode(Int.self, at: 0) == 0, "an account of another tenant was claimed or synced")
            }
        }
    }

    @Test("a large organization of 50 accounts or fewer is refused with one line")
    func refusesTooFewAccounts() async throws {
        let outcome = try await CommandLineRunner.run(CommandLineRunner.benchExecutable, ["--org-sync", "--org-accounts", "50"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("--org-accounts must be more than 50"), "\(outcome.output)")
    }
}
