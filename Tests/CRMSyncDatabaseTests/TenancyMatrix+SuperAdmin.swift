import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for the super admin (private.super_admins): off by default; once on,
// reads every organization, writes none of another's, reads no secret.

extension TenancyMatrixTests {
    static let sam = MatrixActor(
        name: "sam(super admin, no membership, org=acme)", identity: Identity(userID: Seed.sam, organizationID: Demo.acme),
        role: .authenticated)
    static let workerSam = MatrixActor(
        name: "worker:sam(super admin, org=acme)", identity: Identity(userID: Seed.sam, organizationID: Demo.acme),
        role: .worker)
    static let superAlice = MatrixActor(
        name: "alice@acme(owner + super admin)", identity: Demo.aliceAtAcme, role: .authenticated)
    static let superWorkerAlice = MatrixActor(
        name: "worker:alice@acme(owner + super admin)", identity: Demo.aliceAtAcme, role: .worker)

    /// Globex rows a super admin reads (table, statement, rows).
    static var globexReads: [(String, SQL, Int)] {
        let globex = Demo.globex
        return [
            ("organizations", "select id from public.organizations where id = \(globex)", 1),
            ("user_organizations", "select user_id from public.user_organizations where organization_id = \(globex)", 2),
            ("appointments", "select id from public.appointments where organization_id = \(globex)", 8),
            ("calendar_accounts", "select id from public.calendar_accounts where organization_id = \(globex)", 2),
            ("calendar_event_mappings",
             "select id from public.calendar_event_mappings where organization_id = \(globex)", 5),
            ("calendar_sync_log", "select id from public.calendar_sync_log where organization_id = \(globex)", 4),
            ("email_accounts", "select id from public.email_accounts where organization_id = \(globex)", 2),
            ("audit_log",
             "select id from public.audit_log where organization_id = \(globex) and action = 'calendar_account.connected'",
             2),
            ("audit_log", "select id from public.audit_log where organization_id is null and action = 'oauth_client.set'", 2),
            ("views", "select id from public.calendar_account_health where organization_id = \(globex)", 2),
            ("views", "select id from public.recent_sync_errors where organization_id = \(globex)", 2),
        ]
    }

    /// Before private.super_admins holds sam and alice: none of the Globex reads succeed.
    static var superAdminOffCases: [MatrixCase] {
        var m = MatrixCases("super_admin(off)")
        for (table, sql, _) in Self.globexReads {
            m.add(.select, [Self.sam, Self.superAlice], "super admin off by default: read Globex", sql, .noRows,
                  table: table)
        }
        return m.cases
    }

    /// After: reads across organizations, never writes there, never secrets.
    static var superAdminCases: [MatrixCase] {
        var m = MatrixCases("super_admin")
        let acme = Demo.acme, globex = Demo.globex
        for (table, sql, rows) in Self.globexReads {
            m.add(.select, [Self.sam, Self.superAlice], "super admin reads Globex", sql, .rows(rows), table: table)
        }
        // Mail is seen only as its owner shares it: a super admin gets no reach into it.
        for table in ["email_messages", "email_message_subjects", "email_message_bodies", "email_attachments",
                      "email_message_participants"] {
            m.add(.select, [Self.sam, Self.superAlice], "super admin reads Globex mail",
                  "select 1 from public.\(unescaped: table) where organization_id = \(globex)", .noRows, table: table)
        }
        m.add(.select, Self.workerSam, "worker role gets no super-admin reach",
              "select id from public.appointments where organization_id = \(globex)", .noRows, table: "appointments")
        m.add(.select, Self.superWorkerAlice, "worker role gets no super-admin reach",
              "select id from public.calendar_accounts where organization_id = \(globex)", .noRows,
              table: "calendar_accounts")

        let writes: [(String, MatrixCommand, SQL, MatrixOutcome)] = [
            ("organizations", .update, "update public.organizations set name = 'Pwned' where id = \(globex)", .noRows),
            ("user_organizations", .insert,
             "insert into public.user_organizations (organization_id, user_id, role) values (\(globex), \(Seed.sam), 'owner')",
             .denied),
            ("user_organizations", .update,
             "update public.user_organizations set role = 'member' where organization_id = \(globex)", .noRows),
            ("user_organizations", .delete, "delete from public.user_organizations where organization_id = \(globex)",
             .noRows),
            ("appointments", .insert,
             """
             insert into public.appointments (id, organization_id, owner_id, title, start_time, end_time)
             values (\(Seed.new1), \(globex), \(Seed.sam), 'Injected', now(), now() + interval '1 hour')
             """, .denied),
            ("appointments", .update, "update public.appointments set title = 'Pwned' where organization_id = \(globex)",
             .noRows),
            ("appointments", .delete, "delete from public.appointments where organization_id = \(globex)", .denied),
            ("calendar_accounts", .insert,
             """
             insert into public.calendar_accounts (id, organization_id, user_id, provider, email)
             values (\(Seed.new1), \(globex), \(Seed.sam), 'google', 'x@evil.example')
             """, .denied),
            ("calendar_accounts", .update,
             "update public.calendar_accounts set sync_enabled = false where organization_id = \(globex)", .noRows),
            ("calendar_accounts", .delete, "delete from public.calendar_accounts where organization_id = \(globex)",
             .noRows),
            ("email_accounts", .update,
             "update public.email_accounts set display_name = 'Pwned' where organization_id = \(globex)", .noRows),
            ("email_accounts", .delete, "delete from public.email_accounts where organization_id = \(globex)", .noRows),
            ("email_messages", .update,
             "update public.email_messages set is_read = true where organization_id = \(globex)", .noRows),
            ("email_messages", .delete, "delete from public.email_messages where organization_id = \(globex)", .noRows),
            ("email_attachments", .delete, "delete from public.email_attachments where organization_id = \(globex)",
             .noRows),
        ]
        for (table, command, sql, outcome) in writes {
            m.add(command, [Self.sam, Self.superAlice], "super admin writes Globex", sql, outcome, table: table)
        }
        // sam belongs to no organization: no writes in the app.org_id he claims either.
        m.add(.update, Self.sam, "super admin writes Acme without membership",
              "update public.appointments set title = 'Pwned' where organization_id = \(acme)", .noRows,
              table: "appointments")
        // …while alice keeps her ordinary reach in her own organization.
        m.add(.update, Self.superAlice, "super admin still edits own org",
              "update public.appointments set title = 'Mine' where id = \(Seed.acmeAppointment1)", .rows(1),
              table: "appointments")

        let secrets: [(String, MatrixActor, SQL)] = [
            ("calendar_accounts", Self.sam, "select access_token_encrypted from public.calendar_accounts"),
            ("email_accounts", Self.superAlice, "select password_encrypted from public.email_accounts"),
            ("oauth_secrets", Self.sam, "select client_id from public.oauth_secrets"),
            ("functions", Self.workerSam, "select access_token from public.calendar_account_tokens(\(Demo.ginaCalendar))"),
            ("functions", Self.superWorkerAlice,
             "select access_token from public.calendar_account_tokens(\(Demo.ginaCalendar))"),
            ("functions", Self.superWorkerAlice, "select password from public.email_account_secrets(\(Demo.ginaEmail))"),
            ("functions", Self.workerSam, "select client_id from public.oauth_client_credentials('google')"),
            ("functions", Self.superAlice,
             "select public.store_calendar_account_tokens(\(Demo.ginaCalendar), 'evil', 'evil', null)"),
        ]
        for (table, actor, sql) in secrets {
            m.add(.function, actor, "super admin reads/writes secrets", sql, .denied, table: table)
        }
        return m.cases
    }

    @Test("a super admin reads every organization but writes none of another's and reads no secret")
    func superAdmin() async throws {
        try await TestDatabase.with("tm_super") { database in
            _ = try await Self.run(Self.superAdminOffCases, on: database)
            let admin = try await database.adminConnection()
            try await admin.query(
                "insert into private.super_admins (user_id) values (\(Seed.sam)), (\(Demo.alice))")
            _ = try await Self.run(Self.superAdminCases, on: database)
        }
    }
}
