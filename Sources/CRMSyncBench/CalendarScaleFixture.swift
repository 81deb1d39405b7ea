import CRMSyncDatabase
import Foundation
import PostgresClient

/// Many organizations' calendars for the scale figures: per organization ten members (the first
/// an admin), each with one connected Google calendar account holding `perAccount` mapped
/// appointments and ten sync-log rows. Written set-based by the superuser (the import path is
/// measured elsewhere); removed with the organizations.
struct CalendarScaleFixture: Sendable {
    struct Member: Sendable {
        var identity: Identity
        var account: UUID
    }

    static let membersPerOrganization = 10

    let run: String
    /// One member per organization (not the admin), in organization order.
    let members: [Member]

    static func create(organizations: Int, perAccount: Int, on admin: PostgresConnection, say: (String) -> Void) async throws
        -> CalendarScaleFixture
    {
        let run = String(UUID().uuidString.prefix(8)).lowercased()
        let schema = Benchmark.schema
        try await admin.execute(
            """
            create table \(schema).scale_members as
            select o.n as org_n, u as user_n, o.org, extensions.gen_random_uuid() as user_id,
                   extensions.gen_random_uuid() as account_id
              from (select n, extensions.gen_random_uuid() as org from generate_series(1, \(organizations)) n) o
             cross join generate_series(1, \(Self.membersPerOrganization)) u;
            insert into public.organizations (id, name)
            select distinct org, 'crmsync bench scale \(run) ' || org_n from \(schema).scale_members;
            insert into public.user_organizations (organization_id, user_id, role)
            select org, user_id, case when user_n = 1 then 'admin' else 'member' end from \(schema).scale_members;
            insert into public.calendar_accounts (organization_id, id, user_id, provider, email, connection_status,
                                                  next_sync_at, last_sync_at, last_sync_status)
            select org, account_id, user_id, 'google', 'u' || user_n || '@org' || org_n || '.scale.example', 'connected',
                   now() + interval '1 hour', now() - interval '5 minutes', 'success'
              from \(schema).scale_members;
            """)
        say("writing \(organizations * Self.membersPerOrganization * perAccount) appointments and their mappings in \(organizations) organizations…")
        // A hundred organizations per statement: the transactions stay small.
        for first in stride(from: 1, through: organizations, by: 100) {
            try await admin.execute(
                """
                insert into public.appointments (organization_id, id, owner_id, title, start_time, end_time)
                select m.org, extensions.gen_random_uuid(), m.user_id, 'Meeting ' || i,
                       timestamptz '2026-01-01 09:00:00+00' + (i * 7 + m.user_n) * interval '3 hours',
                       timestamptz '2026-01-01 10:00:00+00' + (i * 7 + m.user_n) * interval '3 hours'
                  from \(schema).scale_members m
                 cross join generate_series(1, \(perAccount)) i
                 where m.org_n between \(first) and \(first + 99);
                insert into public.calendar_event_mappings (organization_id, appointment_id, calendar_account_id,
                                                            external_event_id, etag, sync_status, sync_direction,
                                                            last_synced, synced_crm_version)
                select a.organization_id, a.id, m.account_id, 'scale-' || a.id, '"1"', 'synced', 'import', now(), 1
                  from \(schema).scale_members m
                  join public.appointments a on a.organization_id = m.org and a.owner_id = m.user_id
                 where m.org_n between \(first) and \(first + 99);
                """)
        }
        try await admin.execute(
            """
            insert into public.calendar_sync_log (organization_id, calendar_account_id, sync_type, status, started_at,
                                                  completed_at)
            select m.org, m.account_id, 'auto', 'success', now() - k * interval '1 hour',
                   now() - k * interval '1 hour' + interval '2 seconds'
              from \(schema).scale_members m
             cross join generate_series(1, 10) k;
            """)
        // VACUUM runs outside a transaction block: a statement of its own.
        try await admin.execute(
            """
            vacuum analyze public.appointments, public.calendar_event_mappings, public.calendar_accounts,
                           public.calendar_sync_log, public.user_organizations, public.organizations;
            """)
        let rows = try await admin.query(
            "select org, user_id, account_id from \(unescaped: schema).scale_members where user_n = 2 order by org_n")
        let members = try rows.rows.map { row in
            Member(
                identity: Identity(userID: try row.decode(UUID.self, at: 1), organizationID: try row.decode(UUID.self, at: 0)),
                account: try row.decode(UUID.self, at: 2))
        }
        return CalendarScaleFixture(run: run, members: members)
    }

    func drop(on admin: PostgresConnection) async throws {
        try await admin.query("delete from public.organizations where name like \("crmsync bench scale \(self.run) %")")
    }
}
