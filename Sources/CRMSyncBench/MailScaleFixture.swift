import CRMSyncDatabase
import Foundation
import PostgresClient

/// Many organizations' mail for the read figures: per organization an owner whose mailbox holds
/// `perOrganization` messages shared at level full, and a colleague who reads it through the
/// sharing policies. Written set-based by the superuser (the import path is measured elsewhere);
/// the participants come from the same trigger as in production. Removed with the organizations.
struct MailScaleFixture: Sendable {
    struct Tenant: Sendable {
        var organization: UUID
        var account: UUID
        var colleague: Identity
        var contact: String
    }

    let run: String
    let tenants: [Tenant]

    /// Words of the synthetic bodies: `w0`…`w4999`, thirty per body, so one word is in about
    /// 0.6 % of the messages, a handful per organization.
    static let vocabulary = 5_000

    static func create(organizations: Int, perOrganization: Int, on admin: PostgresConnection, say: (String) -> Void) async throws
        -> MailScaleFixture
    {
        let run = String(UUID().uuidString.prefix(8)).lowercased()
        try await admin.execute(
            """
            create table \(Benchmark.schema).scale_orgs as
            select g as n, extensions.gen_random_uuid() as org, extensions.gen_random_uuid() as owner,
                   extensions.gen_random_uuid() as colleague, extensions.gen_random_uuid() as account
              from generate_series(1, \(organizations)) g;
            insert into public.organizations (id, name)
            select org, 'crmsync bench scale \(run) ' || n from \(Benchmark.schema).scale_orgs;
            insert into public.user_organizations (organization_id, user_id, role)
            select org, owner, 'member' from \(Benchmark.schema).scale_orgs
            union all select org, colleague, 'member' from \(Benchmark.schema).scale_orgs;
            insert into public.email_accounts (organization_id, id, user_id, provider, email, sharing_level, connection_status)
            select org, account, owner, 'gmail', 'owner' || n || '@scale.example', 'full', 'connected'
              from \(Benchmark.schema).scale_orgs;
            """)
        say("writing \(organizations * perOrganization) messages in \(organizations) organizations…")
        // One organization per statement: the statement trigger's transition table stays small.
        for first in stride(from: 1, through: organizations, by: 50) {
            try await admin.execute(
                """
                insert into public.email_messages (organization_id, email_account_id, provider_message_id, thread_id,
                                                   internet_message_id, from_address, to_addresses, received_at, labels,
                                                   is_read, size_bytes)
                select o.org, o.account, 'scale-' || i, 'thread-' || (i / 3), '<scale-' || i || '@scale.example>',
                       'Contact ' || (i % 200) || ' <contact' || (i % 200) || '@customer' || (o.n % 50) || '.example>',
                       array['owner' || o.n || '@scale.example'],
                       timestamptz '2026-12-01 00:00:00+00' - i * interval '7 minutes', '{INBOX}', i % 3 = 0, 2000
                  from \(Benchmark.schema).scale_orgs o
                 cross join generate_series(1, \(perOrganization)) i
                 where o.n between \(first) and \(first + 49);
                """)
        }
        say("writing subjects and bodies with their search vectors…")
        try await admin.execute(
            """
            insert into public.email_message_subjects (organization_id, email_account_id, email_message_id, subject, search)
            select m.organization_id, m.email_account_id, m.id, x.subject,
                   m.search || to_tsvector('simple', x.subject)
              from public.email_messages m
              join \(Benchmark.schema).scale_orgs o on o.org = m.organization_id
             cross join lateral (select 'Quote ' || substr(m.provider_message_id, 7) || ' for w'
                                        || (hashtext(m.provider_message_id) & 4095) as subject) x;
            insert into public.email_message_bodies (organization_id, email_account_id, email_message_id, snippet, body_text, search)
            select m.organization_id, m.email_account_id, m.id, left(x.body, 60), x.body,
                   s.search || to_tsvector('simple', x.body)
              from public.email_messages m
              join \(Benchmark.schema).scale_orgs o on o.org = m.organization_id
              join public.email_message_subjects s on s.organization_id = m.organization_id and s.email_message_id = m.id
             cross join lateral (
                    select string_agg('w' || (abs(hashtext(m.id::text || k)) % \(Self.vocabulary)), ' ') as body
                      from generate_series(1, 30) k) x;
            analyze public.email_messages, public.email_message_subjects, public.email_message_bodies,
                    public.email_message_participants, public.email_accounts, public.user_organizations;
            """)
        let rows = try await admin.query(
            "select org, account, colleague, 'contact7@customer' || (n % 50) || '.example' from \(unescaped: Benchmark.schema).scale_orgs order by n")
        let tenants = try rows.rows.map { row in
            Tenant(
                organization: try row.decode(UUID.self, at: 0), account: try row.decode(UUID.self, at: 1),
                colleague: Identity(userID: try row.decode(UUID.self, at: 2), organizationID: try row.decode(UUID.self, at: 0)),
                contact: try row.decode(String.self, at: 3))
        }
        return MailScaleFixture(run: run, tenants: tenants)
    }

    func drop(on admin: PostgresConnection) async throws {
        try await admin.query("delete from public.organizations where name like \("crmsync bench scale \(self.run) %")")
    }
}
