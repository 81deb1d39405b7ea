import CRMSyncDatabase
import CRMSyncSupport
import Foundation
import PostgresClient

/// The calendar at scale, side by side in one run: at `appointments` appointments in
/// `organizations` organizations, the console's "appointments and their calendar events" and
/// "recent sync runs" queries and the API's account list, each timed as a member of the
/// organization (row-level security decides) and as the superuser with the same filter spelled
/// out; then the HTTP API under load (`APILoad`) on the same database.
struct CalendarScaleBenchmark {
    let settings: DatabaseSettings
    let key: SecretKey
    let appointments: Int
    let organizations: Int
    let iterations: Int
    let load: APILoad?
    let say: @Sendable (String) -> Void

    struct Figures: Codable {
        var appointments = 0
        var organizations = 0
        var fill_seconds = 0.0
        var mapped_member_p50_ms = 0.0
        var mapped_member_p99_ms = 0.0
        var mapped_superuser_p50_ms = 0.0
        var mapped_rls_ratio = 0.0
        var sync_log_member_p50_ms = 0.0
        var sync_log_member_p99_ms = 0.0
        var sync_log_superuser_p50_ms = 0.0
        var sync_log_rls_ratio = 0.0
        var accounts_member_p50_ms = 0.0
        var accounts_member_p99_ms = 0.0
        var accounts_superuser_p50_ms = 0.0
        var accounts_rls_ratio = 0.0
        /// What one policy helper costs a statement: the floor under the ratios above, paid by
        /// every table a query reads under row-level security.
        var identity_check_member_p50_ms = 0.0
        var identity_check_superuser_p50_ms = 0.0
        var api: APILoad.Figures?
    }

    /// One query two ways: as the member under RLS, and as the superuser with the filter explicit.
    struct Query: Sendable {
        var name: String
        var member: @Sendable (CalendarScaleFixture.Member) -> SQL
        var superuser: @Sendable (CalendarScaleFixture.Member) -> SQL
    }

    func run() async throws -> Figures {
        let perAccount = self.appointments / (self.organizations * CalendarScaleFixture.membersPerOrganization)
        return try await ScaleRun.run(
            settings: self.settings, key: self.key, say: self.say, removing: "the \(self.organizations) organizations",
            create: { admin in
                try await CalendarScaleFixture.create(
                    organizations: self.organizations, perAccount: perAccount, on: admin, say: self.say)
            },
            drop: { fixture, admin in try await fixture.drop(on: admin) },
            measure: { fixture, tenant, admin, fillSeconds in
                var figures = Figures(appointments: self.appointments, organizations: self.organizations, fill_seconds: fillSeconds)
                try await self.measure(fixture, tenant: tenant, admin: admin, into: &figures)
                if let load = self.load {
                    figures.api = try await load.run(members: fixture.members.map(\.identity), say: self.say)
                }
                return figures
            })
    }

    private func measure(
        _ fixture: CalendarScaleFixture, tenant: TenantDatabase, admin: PostgresConnection, into f: inout Figures
    ) async throws {
        var random = SeededGenerator(seed: 11)
        let picks = (0..<self.iterations).map { _ in fixture.members[Int.random(in: 0..<fixture.members.count, using: &random)] }
        for query in Self.queries {
            self.say("timing \(query.name): \(self.iterations) queries as a member and as the superuser…")
            let t = try await ScaleRun.sideBySide(picks) { pick in
                try await tenant.withSession(pick.identity, role: .authenticated) { connection in
                    try await Sampling.milliseconds { _ = try await connection.query(query.member(pick)) }
                }
            } superuser: { pick in
                try await Sampling.milliseconds { _ = try await admin.query(query.superuser(pick)) }
            }
            let (m50, m99, s50) = (t.memberP50, t.memberP99, t.superuserP50)
            switch query.name {
            case "mapped events": (f.mapped_member_p50_ms, f.mapped_member_p99_ms, f.mapped_superuser_p50_ms, f.mapped_rls_ratio) = (m50, m99, s50, m50 / s50)
            case "sync log": (f.sync_log_member_p50_ms, f.sync_log_member_p99_ms, f.sync_log_superuser_p50_ms, f.sync_log_rls_ratio) = (m50, m99, s50, m50 / s50)
            case "identity check": (f.identity_check_member_p50_ms, f.identity_check_superuser_p50_ms) = (m50, s50)
            default: (f.accounts_member_p50_ms, f.accounts_member_p99_ms, f.accounts_superuser_p50_ms, f.accounts_rls_ratio) = (m50, m99, s50, m50 / s50)
            }
        }
    }

    /// The member's side is the console's text verbatim (and the API's account list), so the
    /// figure is what a person at psql or a caller of the API gets.
    static let queries: [Query] = [
        Query(
            name: "mapped events",
            member: { _ in SQL(Self.console("Appointments and their calendar events"), binds: []) },
            superuser: { m in
                """
                select a.title, a.start_time, ca.email, ca.provider, cem.external_event_id, cem.sync_status, cem.last_synced
                  from public.appointments a
                  join public.calendar_event_mappings cem on cem.organization_id = a.organization_id and a.id = cem.appointment_id
                  join public.calendar_accounts ca on ca.organization_id = cem.organization_id and cem.calendar_account_id = ca.id
                 where a.organization_id = \(m.identity.organizationID) and cem.organization_id = \(m.identity.organizationID)
                   and cem.calendar_account_id = \(m.account)
                 order by a.start_time desc
                """
            }),
        Query(
            name: "sync log",
            member: { _ in SQL(Self.console("Recent sync runs"), binds: []) },
            superuser: { m in
                """
                select csl.created_at, ca.email, ca.provider, csl.sync_type, csl.sync_direction, csl.events_imported,
                       csl.events_exported, csl.events_updated, csl.errors, csl.status
                  from public.calendar_sync_log csl
                  join public.calendar_accounts ca on ca.organization_id = csl.organization_id and csl.calendar_account_id = ca.id
                 where csl.organization_id = \(m.identity.organizationID) and csl.calendar_account_id = \(m.account)
                 order by csl.created_at desc limit 20
                """
            }),
        Query(
            name: "account list",
            member: { _ in CalendarAccountStore.listStatement },
            superuser: { m in
                """
                select \(unescaped: CalendarAccountStore.Record.columns) from public.calendar_accounts a
                 where a.user_id = \(m.identity.userID) and a.organization_id = \(m.identity.organizationID)
                   and a.connection_status <> 'disconnected'
                 order by a.created_at, a.id
                """
            }),
        // the member's statement is one policy helper (the one every table's SELECT policy
        // asks), the superuser's the same statement without it
        Query(
            name: "identity check",
            member: { _ in "select (select private.readable_org_ids())" },
            superuser: { _ in "select (select null::uuid[])" }),
    ]

    static func console(_ title: String) -> String {
        guard let query = ConsoleQueries.all.first(where: { $0.title == title }) else {
            preconditionFailure("no console query titled \(title)")
        }
        return query.sql
    }
}
