import CRMSyncDatabase
import CRMSyncSupport
import Foundation
import PostgresClient

/// Mail reads at scale, side by side in one run: listing a mailbox, full-text search and "all mail
/// with this contact" at `messages` messages in `organizations` organizations, each query timed
/// as a member of the organization (row-level security, the sharing policies and the view
/// decide) and as the superuser with the same filter spelled out; and the search's plan, which
/// must use the (organization_id, search) GIN indexes.
struct MailScaleBenchmark {
    let settings: DatabaseSettings
    let key: SecretKey
    let messages: Int
    let organizations: Int
    let iterations: Int
    let say: @Sendable (String) -> Void

    struct Figures: Codable {
        var messages = 0
        var organizations = 0
        var fill_seconds = 0.0
        var list_member_p50_ms = 0.0
        var list_member_p99_ms = 0.0
        var list_superuser_p50_ms = 0.0
        var list_rls_ratio = 0.0
        var search_member_p50_ms = 0.0
        var search_member_p99_ms = 0.0
        var search_superuser_p50_ms = 0.0
        var search_rls_ratio = 0.0
        var contact_member_p50_ms = 0.0
        var contact_member_p99_ms = 0.0
        var contact_superuser_p50_ms = 0.0
        var contact_rls_ratio = 0.0
        var search_uses_gin_index = false
        var search_plan = ""
    }

    /// One query two ways: as the colleague under RLS, and as the superuser with the filter explicit.
    struct Query: Sendable {
        var member: @Sendable (MailScaleFixture.Tenant, String) -> SQL
        var superuser: @Sendable (MailScaleFixture.Tenant, String) -> SQL
    }

    func run() async throws -> Figures {
        try await ScaleRun.run(
            settings: self.settings, key: self.key, say: self.say, removing: "the \(self.organizations) organizations",
            create: { admin in
                try await MailScaleFixture.create(
                    organizations: self.organizations, perOrganization: self.messages / self.organizations, on: admin, say: self.say)
            },
            drop: { fixture, admin in try await fixture.drop(on: admin) },
            measure: { fixture, tenant, admin, fillSeconds in
                var figures = Figures(messages: self.messages, organizations: self.organizations, fill_seconds: fillSeconds)
                try await self.measure(fixture, tenant: tenant, admin: admin, into: &figures)
                try await self.explainSearch(fixture, admin: admin, into: &figures)
                return figures
            })
    }

    private func measure(_ fixture: MailScaleFixture, tenant: TenantDatabase, admin: PostgresConnection, into f: inout Figures) async throws {
        var random = SeededGenerator(seed: 7)
        let words = (0..<self.iterations).map { _ in "w\(Int.random(in: 0..<MailScaleFixture.vocabulary, using: &random))" }
        let picks = (0..<self.iterations).map { _ in fixture.tenants[Int.random(in: 0..<fixture.tenants.count, using: &random)] }
        for (name, query) in Self.queries {
            self.say("timing \(name): \(self.iterations) queries as a member and as the superuser…")
            let t = try await ScaleRun.sideBySide(Array(zip(picks, words))) { pick, word in
                try await tenant.withSession(pick.colleague, role: .authenticated) { connection in
                    try await Sampling.milliseconds { _ = try await connection.query(query.member(pick, word)) }
                }
            } superuser: { pick, word in
                try await Sampling.milliseconds { _ = try await admin.query(query.superuser(pick, word)) }
            }
            let (m50, m99, s50) = (t.memberP50, t.memberP99, t.superuserP50)
            switch name {
            case "list": (f.list_member_p50_ms, f.list_member_p99_ms, f.list_superuser_p50_ms, f.list_rls_ratio) = (m50, m99, s50, m50 / s50)
            case "search": (f.search_member_p50_ms, f.search_member_p99_ms, f.search_superuser_p50_ms, f.search_rls_ratio) = (m50, m99, s50, m50 / s50)
            default: (f.contact_member_p50_ms, f.contact_member_p99_ms, f.contact_superuser_p50_ms, f.contact_rls_ratio) = (m50, m99, s50, m50 / s50)
            }
        }
    }

    /// The plan of the body tier's search as search_email_messages runs it (the owner role, the
    /// policy's filter spelled out): through the (organization_id, search) GIN index.
    private func explainSearch(_ fixture: MailScaleFixture, admin: PostgresConnection, into f: inout Figures) async throws {
        let pick = fixture.tenants[fixture.tenants.count / 2]
        let plan = try await admin.query(
            """
            explain (costs off)
            select b.email_message_id from public.email_message_bodies b
             where b.organization_id = \(pick.organization) and b.email_account_id = any (array[\(pick.account)]::uuid[])
               and b.search @@ websearch_to_tsquery('simple', 'w42')
            """
        ).rows.map { try $0.decode(String.self, at: 0) }
        f.search_plan = plan.joined(separator: "\n")
        f.search_uses_gin_index = f.search_plan.contains("email_message_bodies_org_search_idx")
    }

    static let queries: [(String, Query)] = [
        ("list", Query(
            member: { t, _ in
                """
                select id, subject, from_address, listed_at from public.email_messages_visible
                 where email_account_id = \(t.account) order by listed_at desc, id desc limit 50
                """
            },
            superuser: { t, _ in
                """
                select m.id, s.subject, m.from_address, m.listed_at
                  from public.email_messages m
                  left join public.email_message_subjects s on s.organization_id = m.organization_id and s.email_message_id = m.id
                 where m.organization_id = \(t.organization) and m.email_account_id = \(t.account)
                 order by m.listed_at desc, m.id desc limit 50
                """
            })),
        ("search", Query(
            member: { _, word in
                """
                select v.id, v.subject from public.search_email_messages(\(word)) s
                  join public.email_messages_visible v on v.organization_id = s.organization_id and v.id = s.id
                 order by s.listed_at desc, s.id desc
                """
            },
            superuser: { t, word in
                """
                select m.id, s.subject
                  from public.email_message_bodies b
                  join public.email_messages m on m.organization_id = b.organization_id and m.id = b.email_message_id
                  left join public.email_message_subjects s on s.organization_id = m.organization_id and s.email_message_id = m.id
                 where b.organization_id = \(t.organization) and b.search @@ websearch_to_tsquery('simple', \(word))
                 order by m.listed_at desc, m.id desc limit 50
                """
            })),
        ("contact", Query(
            member: { t, _ in
                """
                select v.id, v.subject from public.email_message_participants p
                  join public.email_messages_visible v on v.organization_id = p.organization_id and v.id = p.email_message_id
                 where p.address = \(t.contact) order by p.listed_at desc, p.email_message_id desc limit 50
                """
            },
            superuser: { t, _ in
                """
                select m.id, s.subject from public.email_message_participants p
                  join public.email_messages m on m.organization_id = p.organization_id and m.id = p.email_message_id
                  left join public.email_message_subjects s on s.organization_id = m.organization_id and s.email_message_id = m.id
                 where p.organization_id = \(t.organization) and p.address = \(t.contact)
                 order by p.listed_at desc, p.email_message_id desc limit 50
                """
            })),
    ]
}
