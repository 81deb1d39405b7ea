import CRMSyncTestSupport
import CRMSyncDatabase
import Foundation
import PostgresClient
import Testing

/// The adversarial tenancy matrix (issue 2, "Tests that must exist"): every table × SELECT,
/// INSERT, UPDATE, DELETE × another organization's member and owner, the same organization's
/// other member, the org owner, no identity, forged identities and the worker role; plus every
/// secret function, private helper and monitoring view as the wrong actor, and the super admin.
///
/// Each case runs in its own `withSession` transaction as `crmsync_app`. Allowed cases must
/// return/affect exactly the expected rows and are rolled back; refused cases must return or
/// affect zero rows (and are committed, so a leak would persist) or fail with 42501. After
/// every case a superuser checksum of every table must be unchanged.
@Suite("Tenancy matrix")
struct TenancyMatrixTests {
    // MARK: organizations, user_organizations

    static var organizationCases: [MatrixCase] {
        var m = MatrixCases("organizations")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.organizations where id = \(acme)"
        m.add(.select, .bob, "member reads own organization", readAcme, .rows(1))
        m.add(.select, .alice, "owner reads own organization", readAcme, .rows(1))
        m.add(.select, .workerBob, "worker reads own organization", readAcme, .rows(1))
        m.add(.select, .bob, "member lists organizations: only Acme", "select id from public.organizations", .rows(1))
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme", readAcme, .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex", "select id from public.organizations where id = \(globex)", .noRows)

        let insert: SQL = "insert into public.organizations (id, name) values (\(Seed.new1), 'Evil Corp')"
        m.add(.insert, [.alice, .bob, .hank, .nobody, .workerAlice], "create an organization", insert, .denied)

        let rename: SQL = "update public.organizations set name = 'Pwned' where id = \(acme)"
        m.add(.update, .alice, "owner renames own organization", rename, .rows(1))
        m.add(.update, .bob, "member renames organization", rename, .noRows)
        m.add(.update, MatrixActor.outsidersOfAcme, "rename Acme", rename, .noRows)
        m.add(.update, .aliceForgingGlobex, "rename Globex",
              "update public.organizations set name = 'Pwned' where id = \(globex)", .noRows)
        m.add(.update, .workerAlice, "worker renames organization", rename, .denied)
        m.add(.update, .alice, "owner changes the organization id (the tenant key)",
              "update public.organizations set id = \(Seed.new1) where id = \(acme)", .denied)

        let delete: SQL = "delete from public.organizations where id = \(acme)"
        m.add(.delete, [.alice, .bob, .hank, .nobody, .workerAlice], "delete Acme", delete, .denied)
        return m.cases
    }

    static var membershipCases: [MatrixCase] {
        var m = MatrixCases("user_organizations")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select user_id from public.user_organizations where organization_id = \(acme)"
        m.add(.select, .bob, "member reads own organization's memberships", readAcme, .rows(2))
        m.add(.select, .alice, "owner reads own organization's memberships", readAcme, .rows(2))
        m.add(.select, MatrixActor.outsidersOfAcme, "read Acme memberships", readAcme, .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex memberships",
              "select user_id from public.user_organizations where organization_id = \(globex)", .noRows)
        m.add(.select, [.workerBob, .workerHank], "worker reads memberships", readAcme, .denied)

        func enroll(_ org: UUID, _ user: UUID, _ role: String) -> SQL {
            "insert into public.user_organizations (organization_id, user_id, role) values (\(org), \(user), \(role))"
        }
        m.add(.insert, .alice, "owner adds a member", enroll(acme, Seed.new1, "member"), .rows(1))
        m.add(.insert, .bob, "member adds a member", enroll(acme, Seed.new1, "member"), .denied)
        m.add(.insert, .bob, "member promotes self to owner (new row)", enroll(acme, Demo.bob, "owner"), .denied)
        m.add(.insert, .hank, "other org's member joins Acme", enroll(acme, Demo.hank, "owner"), .denied)
        m.add(.insert, .gina, "other org's owner joins Acme", enroll(acme, Demo.gina, "member"), .denied)
        m.add(.insert, .hankForgingAcme, "forged identity self-enrolls", enroll(acme, Demo.hank, "member"), .denied)
        m.add(.insert, .nobody, "no identity enrolls", enroll(acme, Seed.new1, "member"), .denied)
        m.add(.insert, .alice, "owner inserts a row with Globex's organization_id",
              enroll(globex, Demo.alice, "owner"), .denied)
        m.add(.insert, .workerAlice, "worker adds a member", enroll(acme, Seed.new1, "member"), .denied)

        let promoteBob: SQL =
            "update public.user_organizations set role = 'admin' where organization_id = \(acme) and user_id = \(Demo.bob)"
        m.add(.update, .alice, "owner changes a member's role", promoteBob, .rows(1))
        m.add(.update, .bob, "member promotes self",
              "update public.user_organizations set role = 'owner' where organization_id = \(acme) and user_id = \(Demo.bob)",
              .noRows)
        m.add(.update, .bob, "member demotes the owner",
              "update public.user_organizations set role = 'member' where organization_id = \(acme) and user_id = \(Demo.alice)",
              .noRows)
        m.add(.update, MatrixActor.outsidersOfAcme, "change Acme roles", promoteBob, .noRows)
        m.add(.update, .alice, "owner moves a membership to Globex",
              "update public.user_organizations set organization_id = \(globex) where organization_id = \(acme) and user_id = \(Demo.bob)",
              .denied)
        m.add(.update, .alice, "owner rewrites a membership's user",
              "update public.user_organizations set user_id = \(Demo.hank) where organization_id = \(acme) and user_id = \(Demo.bob)",
              .denied)
        m.add(.update, .workerAlice, "worker changes a role", promoteBob, .denied)

        let removeBob: SQL =
            "delete from public.user_organizations where organization_id = \(acme) and user_id = \(Demo.bob)"
        m.add(.delete, .alice, "owner removes a member", removeBob, .rows(1))
        m.add(.delete, .bob, "member removes the owner",
              "delete from public.user_organizations where organization_id = \(acme) and user_id = \(Demo.alice)", .noRows)
        m.add(.delete, MatrixActor.outsidersOfAcme, "remove an Acme member", removeBob, .noRows)
        m.add(.delete, .aliceForgingGlobex, "remove a Globex member",
              "delete from public.user_organizations where organization_id = \(globex) and user_id = \(Demo.hank)", .noRows)
        m.add(.delete, .workerAlice, "worker removes a member", removeBob, .denied)
        return m.cases
    }

    // MARK: appointments

    static var appointmentCases: [MatrixCase] {
        var m = MatrixCases("appointments")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.appointments where organization_id = \(acme)"
        m.add(.select, .bob, "member reads the organization's appointments", readAcme, .rows(8))
        m.add(.select, .workerBob, "worker reads the organization's appointments", readAcme, .rows(8))
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme appointments",
              readAcme, .noRows)
        m.add(.select, [.aliceForgingGlobex, .workerAliceForgingGlobex], "read Globex appointments",
              "select id from public.appointments where organization_id = \(globex)", .noRows)

        func create(_ org: UUID, owner: UUID) -> SQL {
            """
            insert into public.appointments (id, organization_id, owner_id, title, start_time, end_time)
            values (\(Seed.new1), \(org), \(owner), 'Injected', now(), now() + interval '1 hour')
            """
        }
        m.add(.insert, .bob, "member creates an appointment", create(acme, owner: Demo.bob), .rows(1))
        m.add(.insert, .workerBob, "worker imports an appointment", create(acme, owner: Demo.bob), .rows(1))
        m.add(.insert, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "create in Acme",
              create(acme, owner: Demo.hank), .denied)
        m.add(.insert, .alice, "owner inserts with Globex's organization_id", create(globex, owner: Demo.alice), .denied)
        m.add(.insert, .workerBob, "worker inserts with Globex's organization_id", create(globex, owner: Demo.bob), .denied)

        let retitle: SQL = "update public.appointments set title = 'Pwned' where id = \(Seed.acmeAppointment1)"
        m.add(.update, .bob, "member edits an org appointment (alice's)", retitle, .rows(1))
        m.add(.update, .workerBob, "worker updates an org appointment", retitle, .rows(1))
        m.add(.update, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "edit an Acme appointment",
              retitle, .noRows)
        let move: SQL =
            "update public.appointments set organization_id = \(globex) where organization_id = \(acme) and id = \(Seed.acmeAppointment1)"
        m.add(.update, .bob, "member moves an appointment to Globex", move, .denied)
        m.add(.update, .alice, "owner moves an appointment to Globex", move, .denied)
        m.add(.update, .workerBob, "worker moves an appointment to Globex", move, .denied)
        m.add(.update, .gina, "Globex owner pulls an Acme appointment into Globex", move, .noRows)
        m.add(.update, .hank, "Globex member pushes a Globex appointment into Acme",
              "update public.appointments set organization_id = \(acme) where id = \(Seed.globexAppointment1)", .denied)

        let remove: SQL = "delete from public.appointments where id = \(Seed.acmeAppointment1)"
        // Deleting is a soft delete (deleted_at) for everyone: no DELETE grant at all.
        m.add(.delete, [.bob, .alice], "person hard-deletes an org appointment", remove, .denied)
        m.add(.delete, MatrixActor.outsidersOfAcme, "delete an Acme appointment", remove, .denied)
        m.add(.delete, .aliceForgingGlobex, "delete a Globex appointment",
              "delete from public.appointments where id = \(Seed.globexAppointment1)", .denied)
        m.add(.delete, [.workerBob, .workerHank], "worker hard-deletes (soft delete only)", remove, .denied)
        return m.cases
    }

    // MARK: calendar_accounts, email_accounts

    static var calendarAccountCases: [MatrixCase] {
        var m = MatrixCases("calendar_accounts")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.calendar_accounts where organization_id = \(acme)"
        let readAlices: SQL = "select id from public.calendar_accounts where id = \(Demo.aliceCalendar)"
        m.add(.select, .alice, "owner reads the organization's accounts", readAcme, .rows(2))
        m.add(.select, .bob, "member reads only own account", readAcme, .rows(1))
        m.add(.select, .bob, "member reads alice's account", readAlices, .noRows)
        m.add(.select, .workerBob, "worker reads only own account", readAcme, .rows(1))
        m.add(.select, .workerAlice, "owner's worker has no admin reach",
              "select id from public.calendar_accounts where id = \(Demo.bobCalendar)", .noRows)
        m.add(.select, .workerBob, "worker reads alice's account", readAlices, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme accounts", readAcme,
              .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex accounts",
              "select id from public.calendar_accounts where organization_id = \(globex)", .noRows)
        for column in ["access_token_encrypted", "refresh_token_encrypted"] {
            let sql: SQL = "select \(unescaped: column) from public.calendar_accounts where id = \(Demo.aliceCalendar)"
            m.add(.select, [.alice, .workerAlice, .bob, .nobody], "ciphertext \(column)", sql, .denied)
        }
        m.add(.select, .alice, "select * includes ciphertext", "select * from public.calendar_accounts", .denied)

        func connect(_ org: UUID, _ user: UUID) -> SQL {
            """
            insert into public.calendar_accounts (id, organization_id, user_id, provider, email)
            values (\(Seed.new1), \(org), \(user), 'google', 'x@evil.example')
            """
        }
        m.add(.insert, .bob, "member connects own calendar", connect(acme, Demo.bob), .rows(1))
        m.add(.insert, .bob, "member connects a calendar for alice", connect(acme, Demo.alice), .denied)
        m.add(.insert, .alice, "owner connects a calendar for bob", connect(acme, Demo.bob), .denied)
        m.add(.insert, .hank, "other org's member connects in Acme", connect(acme, Demo.hank), .denied)
        m.add(.insert, .gina, "other org's owner connects for alice", connect(acme, Demo.alice), .denied)
        m.add(.insert, .nobody, "no identity connects", connect(acme, Demo.alice), .denied)
        m.add(.insert, .hankForgingAcme, "forged identity connects", connect(acme, Demo.hank), .denied)
        m.add(.insert, .alice, "owner inserts with Globex's organization_id", connect(globex, Demo.alice), .denied)
        m.add(.insert, [.workerBob, .workerHank], "worker creates an account", connect(acme, Demo.bob), .denied)
        m.add(.insert, .bob, "member writes ciphertext directly",
              """
              insert into public.calendar_accounts (id, organization_id, user_id, provider, email, access_token_encrypted, token_key_id)
              values (\(Seed.new1), \(acme), \(Demo.bob), 'google', 'x@evil.example', decode('00', 'hex'), 'k')
              """, .denied)

        func disable(_ account: UUID) -> SQL {
            "update public.calendar_accounts set sync_enabled = false where id = \(account)"
        }
        m.add(.update, .bob, "member updates own account", disable(Demo.bobCalendar), .rows(1))
        m.add(.update, .workerBob, "worker records a sync on own account",
              "update public.calendar_accounts set last_sync_at = now() where id = \(Demo.bobCalendar)", .rows(1))
        m.add(.update, .bob, "member updates alice's account", disable(Demo.aliceCalendar), .noRows)
        m.add(.update, .alice, "owner updates bob's account (read-only reach)", disable(Demo.bobCalendar), .noRows)
        m.add(.update, .workerBob, "worker updates alice's account",
              "update public.calendar_accounts set last_sync_at = now() where id = \(Demo.aliceCalendar)", .noRows)
        m.add(.update, MatrixActor.outsidersOfAcme, "update alice's account", disable(Demo.aliceCalendar), .noRows)
        m.add(.update, [.workerHank, .workerHankForgingAcme], "worker updates alice's account",
              "update public.calendar_accounts set last_sync_at = now() where id = \(Demo.aliceCalendar)", .noRows)
        m.add(.update, .bob, "member moves own account to Globex",
              "update public.calendar_accounts set organization_id = \(globex) where id = \(Demo.bobCalendar)", .denied)
        m.add(.update, .bob, "member gives own account to alice",
              "update public.calendar_accounts set user_id = \(Demo.alice) where id = \(Demo.bobCalendar)", .denied)
        m.add(.update, .bob, "member overwrites own ciphertext",
              "update public.calendar_accounts set access_token_encrypted = decode('00', 'hex') where id = \(Demo.bobCalendar)",
              .denied)
        m.add(.update, .workerBob, "worker overwrites ciphertext",
              "update public.calendar_accounts set refresh_token_encrypted = null where id = \(Demo.bobCalendar)", .denied)
        m.add(.update, .workerBob, "worker re-tags the key id",
              "update public.calendar_accounts set token_key_id = 'k' where id = \(Demo.bobCalendar)", .denied)

        func remove(_ account: UUID) -> SQL { "delete from public.calendar_accounts where id = \(account)" }
        m.add(.delete, .bob, "member deletes own account", remove(Demo.bobCalendar), .rows(1))
        m.add(.delete, .bob, "member deletes alice's account", remove(Demo.aliceCalendar), .noRows)
        m.add(.delete, .alice, "owner deletes bob's account", remove(Demo.bobCalendar), .noRows)
        m.add(.delete, MatrixActor.outsidersOfAcme, "delete alice's account", remove(Demo.aliceCalendar), .noRows)
        m.add(.delete, [.workerBob, .workerAlice], "worker deletes an account", remove(Demo.bobCalendar), .denied)
        return m.cases
    }

    static var emailAccountCases: [MatrixCase] {
        var m = MatrixCases("email_accounts")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.email_accounts where organization_id = \(acme)"
        let readAlices: SQL = "select id from public.email_accounts where id = \(Demo.aliceEmail)"
        m.add(.select, .alice, "owner reads the organization's mailboxes", readAcme, .rows(2))
        m.add(.select, .bob, "member reads only own mailbox", readAcme, .rows(1))
        m.add(.select, .bob, "member reads alice's mailbox", readAlices, .noRows)
        m.add(.select, .workerBob, "worker reads alice's mailbox", readAlices, .noRows)
        m.add(.select, .workerAlice, "owner's worker reads bob's mailbox",
              "select id from public.email_accounts where id = \(Seed.bobEmail)", .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme mailboxes", readAcme,
              .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex mailboxes",
              "select id from public.email_accounts where organization_id = \(globex)", .noRows)
        for column in ["password_encrypted", "access_token_encrypted", "refresh_token_encrypted"] {
            let sql: SQL = "select \(unescaped: column) from public.email_accounts where id = \(Demo.aliceEmail)"
            m.add(.select, [.alice, .workerAlice, .bob, .nobody], "ciphertext \(column)", sql, .denied)
        }

        func connect(_ org: UUID, _ user: UUID) -> SQL {
            """
            insert into public.email_accounts (id, organization_id, user_id, provider, email)
            values (\(Seed.new1), \(org), \(user), 'gmail', 'x@evil.example')
            """
        }
        m.add(.insert, .bob, "member connects own mailbox", connect(acme, Demo.bob), .rows(1))
        m.add(.insert, .bob, "member connects a mailbox for alice", connect(acme, Demo.alice), .denied)
        m.add(.insert, .alice, "owner connects a mailbox for bob", connect(acme, Demo.bob), .denied)
        m.add(.insert, MatrixActor.outsidersOfAcme, "connect a mailbox in Acme", connect(acme, Demo.hank), .denied)
        m.add(.insert, .alice, "owner inserts with Globex's organization_id", connect(globex, Demo.alice), .denied)
        m.add(.insert, [.workerBob, .workerHank], "worker creates a mailbox", connect(acme, Demo.bob), .denied)
        m.add(.insert, .bob, "member writes the password ciphertext directly",
              """
              insert into public.email_accounts (id, organization_id, user_id, provider, email, password_encrypted, token_key_id)
              values (\(Seed.new1), \(acme), \(Demo.bob), 'gmail', 'x@evil.example', decode('00', 'hex'), 'k')
              """, .denied)

        func rename(_ account: UUID) -> SQL {
            "update public.email_accounts set display_name = 'Pwned' where id = \(account)"
        }
        m.add(.update, .bob, "member updates own mailbox", rename(Seed.bobEmail), .rows(1))
        m.add(.update, .workerBob, "worker records a sync on own mailbox",
              "update public.email_accounts set last_sync_at = now() where id = \(Seed.bobEmail)", .rows(1))
        m.add(.update, .bob, "member updates alice's mailbox", rename(Demo.aliceEmail), .noRows)
        m.add(.update, .alice, "owner updates bob's mailbox", rename(Seed.bobEmail), .noRows)
        m.add(.update, MatrixActor.outsidersOfAcme, "update alice's mailbox", rename(Demo.aliceEmail), .noRows)
        m.add(.update, [.workerBob, .workerHank, .workerHankForgingAcme], "worker updates alice's mailbox",
              "update public.email_accounts set last_sync_at = now() where id = \(Demo.aliceEmail)", .noRows)
        m.add(.update, .bob, "member moves own mailbox to Globex",
              "update public.email_accounts set organization_id = \(globex) where id = \(Seed.bobEmail)", .denied)
        m.add(.update, .bob, "member gives own mailbox to alice",
              "update public.email_accounts set user_id = \(Demo.alice) where id = \(Seed.bobEmail)", .denied)
        m.add(.update, .bob, "member overwrites own password ciphertext",
              "update public.email_accounts set password_encrypted = decode('00', 'hex') where id = \(Seed.bobEmail)",
              .denied)
        m.add(.update, .workerBob, "worker changes the IMAP host (exfiltration target)",
              "update public.email_accounts set imap_host = 'evil.example' where id = \(Seed.bobEmail)", .denied)

        func remove(_ account: UUID) -> SQL { "delete from public.email_accounts where id = \(account)" }
        m.add(.delete, .bob, "member deletes own mailbox", remove(Seed.bobEmail), .rows(1))
        m.add(.delete, .bob, "member deletes alice's mailbox", remove(Demo.aliceEmail), .noRows)
        m.add(.delete, .alice, "owner deletes bob's mailbox", remove(Seed.bobEmail), .noRows)
        m.add(.delete, MatrixActor.outsidersOfAcme, "delete alice's mailbox", remove(Demo.aliceEmail), .noRows)
        m.add(.delete, [.workerBob, .workerAlice], "worker deletes a mailbox", remove(Seed.bobEmail), .denied)
        return m.cases
    }

    // MARK: calendar_event_mappings, calendar_sync_log

    static var mappingCases: [MatrixCase] {
        var m = MatrixCases("calendar_event_mappings")
        let acme = Demo.acme, globex = Demo.globex
        let readAlices: SQL =
            "select id from public.calendar_event_mappings where calendar_account_id = \(Demo.aliceCalendar)"
        let readAcme: SQL = "select id from public.calendar_event_mappings where organization_id = \(acme)"
        m.add(.select, .alice, "member reads own account's mappings", readAlices, .rows(3))
        m.add(.select, .bob, "member reads the org's mappings: own only", readAcme, .rows(2))
        m.add(.select, .workerBob, "worker reads the org's mappings: own only", readAcme, .rows(2))
        m.add(.select, [.bob, .workerBob], "read alice's mappings", readAlices, .noRows)
        m.add(.select, .alice, "owner reads bob's mappings (no admin reach)",
              "select id from public.calendar_event_mappings where calendar_account_id = \(Demo.bobCalendar)", .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme mappings", readAcme,
              .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex mappings",
              "select id from public.calendar_event_mappings where organization_id = \(globex)", .noRows)

        func map(_ org: UUID, _ appointment: UUID, _ account: UUID) -> SQL {
            """
            insert into public.calendar_event_mappings (id, organization_id, appointment_id, calendar_account_id, external_event_id)
            values (\(Seed.new1), \(org), \(appointment), \(account), 'evt-injected')
            """
        }
        m.add(.insert, .workerBob, "worker maps on own account", map(acme, Seed.acmeAppointment7, Demo.bobCalendar), .rows(1))
        m.add(.insert, .bob, "a person writes mappings", map(acme, Seed.acmeAppointment7, Demo.bobCalendar), .denied)
        m.add(.insert, .workerBob, "worker maps on alice's account",
              map(acme, Seed.acmeAppointment7, Demo.aliceCalendar), .denied)
        m.add(.insert, MatrixActor.workerOutsidersOfAcme, "worker maps on alice's account",
              map(acme, Seed.acmeAppointment7, Demo.aliceCalendar), .denied)
        m.add(.insert, .workerHank, "Globex worker maps its appointment onto alice's account (Globex org id)",
              map(globex, Seed.globexAppointment7, Demo.aliceCalendar), .denied)
        m.add(.insert, .workerBob, "own account pointed at Globex's appointment (composite FK)",
              map(acme, Seed.globexAppointment7, Demo.bobCalendar), .failsWith("23503"))
        m.add(.insert, .workerBob, "own account, Globex organization_id, Globex appointment",
              map(globex, Seed.globexAppointment7, Demo.bobCalendar), .denied)

        let retag: SQL = "update public.calendar_event_mappings set etag = 'pwned' where id = \(Seed.aliceMapping)"
        m.add(.update, .workerAlice, "worker updates own mapping", retag, .rows(1))
        m.add(.update, .workerBob, "worker updates alice's mapping", retag, .noRows)
        m.add(.update, MatrixActor.workerOutsidersOfAcme, "worker updates alice's mapping", retag, .noRows)
        m.add(.update, [.alice, .hank], "a person updates mappings", retag, .denied)
        m.add(.update, .workerBob, "own mapping moved to Globex",
              "update public.calendar_event_mappings set organization_id = \(globex) where id = \(Seed.bobMapping)", .denied)
        m.add(.update, .workerBob, "own mapping re-pointed at alice's account",
              "update public.calendar_event_mappings set calendar_account_id = \(Demo.aliceCalendar) where id = \(Seed.bobMapping)",
              .denied)
        m.add(.update, .workerBob, "own mapping re-pointed at Globex's appointment (composite FK)",
              "update public.calendar_event_mappings set appointment_id = \(Seed.globexAppointment7) where id = \(Seed.bobMapping)",
              .failsWith("23503"))

        let remove: SQL = "delete from public.calendar_event_mappings where id = \(Seed.aliceMapping)"
        m.add(.delete, .workerAlice, "worker deletes own mapping", remove, .rows(1))
        m.add(.delete, .workerBob, "worker deletes alice's mapping", remove, .noRows)
        m.add(.delete, MatrixActor.workerOutsidersOfAcme, "worker deletes alice's mapping", remove, .noRows)
        m.add(.delete, [.alice, .bob, .hank, .nobody], "a person deletes mappings", remove, .denied)
        return m.cases
    }

    static var syncLogCases: [MatrixCase] {
        var m = MatrixCases("calendar_sync_log")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.calendar_sync_log where organization_id = \(acme)"
        let readAlices: SQL = "select id from public.calendar_sync_log where calendar_account_id = \(Demo.aliceCalendar)"
        m.add(.select, .alice, "owner reads all the organization's runs", readAcme, .rows(4))
        m.add(.select, .bob, "member reads own runs only", readAcme, .rows(2))
        m.add(.select, .workerAlice, "owner's worker reads own runs only", readAcme, .rows(2))
        m.add(.select, [.bob, .workerBob], "read alice's runs", readAlices, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme runs", readAcme,
              .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex runs",
              "select id from public.calendar_sync_log where organization_id = \(globex)", .noRows)

        func log(_ org: UUID, _ account: UUID) -> SQL {
            """
            insert into public.calendar_sync_log (id, organization_id, calendar_account_id, status)
            values (\(Seed.new1), \(org), \(account), 'success')
            """
        }
        m.add(.insert, .workerBob, "worker logs a run of own account", log(acme, Demo.bobCalendar), .rows(1))
        m.add(.insert, .workerBob, "worker logs a run of alice's account", log(acme, Demo.aliceCalendar), .denied)
        m.add(.insert, MatrixActor.workerOutsidersOfAcme, "worker logs a run in Acme", log(acme, Demo.aliceCalendar),
              .denied)
        m.add(.insert, .workerBob, "worker logs own run under Globex's organization_id", log(globex, Demo.bobCalendar),
              .failsWith("42501"))
        m.add(.insert, [.alice, .bob], "a person forges a run", log(acme, Demo.bobCalendar), .denied)

        let fail: SQL = "update public.calendar_sync_log set status = 'failed' where id = \(Seed.aliceSyncLog)"
        m.add(.update, .workerAlice, "worker completes own run", fail, .rows(1))
        m.add(.update, .workerBob, "worker rewrites alice's run", fail, .noRows)
        m.add(.update, MatrixActor.workerOutsidersOfAcme, "worker rewrites alice's run", fail, .noRows)
        m.add(.update, [.alice, .bob], "a person rewrites history", fail, .denied)
        m.add(.update, .workerBob, "own run moved to Globex",
              "update public.calendar_sync_log set organization_id = \(globex) where id = \(Seed.bobSyncLog)", .denied)
        m.add(.update, .workerBob, "own run re-pointed at alice's account",
              "update public.calendar_sync_log set calendar_account_id = \(Demo.aliceCalendar) where id = \(Seed.bobSyncLog)",
              .denied)

        let remove: SQL = "delete from public.calendar_sync_log where id = \(Seed.aliceSyncLog)"
        m.add(.delete, [.alice, .bob, .hank, .nobody, .workerAlice, .workerBob], "delete history", remove, .denied)
        return m.cases
    }

    // MARK: calendar_conflicts

    /// Inserts (as the superuser) one open conflict on alice's mapping 1, one on bob's mapping 2
    /// (so the owner's admin reach is visible) and one on gina's mapping 1, each with the
    /// appointment's current version and a calendar version moved by an hour.
    static func insertConflicts(_ admin: PostgresConnection) async throws {
        try await admin.query(
            """
            insert into public.calendar_conflicts (id, organization_id, calendar_account_id, mapping_id, appointment_id,
                                                   crm_version, crm_snapshot, remote_snapshot, remote_etag)
            select v.id, m.organization_id, m.calendar_account_id, m.id, m.appointment_id, a.crm_version,
                   private.calendar_crm_snapshot(a),
                   jsonb_build_object('id', m.external_event_id, 'status', 'confirmed', 'title', 'Moved in the calendar',
                                      'start', a.start_time + interval '1 hour', 'end', a.end_time + interval '1 hour'),
                   '"etag-conflict"'
              from (values (\(Seed.aliceConflict)::uuid, \(Seed.aliceMapping)::uuid),
                           (\(Seed.bobConflict)::uuid, \(Seed.bobMapping)::uuid),
                           (\(Seed.globexConflict)::uuid, \(Seed.globexMapping)::uuid)) as v (id, mapping_id)
              join public.calendar_event_mappings m on m.id = v.mapping_id
              join public.appointments a on a.organization_id = m.organization_id and a.id = m.appointment_id
            """)
        let count = try await admin.query("select count(*) from public.calendar_conflicts").first?.decode(Int.self, at: 0)
        guard count == 3 else { throw TestSetupError("expected 3 calendar conflicts, found \(count ?? 0)") }
    }

    static var conflictCases: [MatrixCase] {
        var m = MatrixCases("calendar_conflicts")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.calendar_conflicts where organization_id = \(acme)"
        let readAlices: SQL = "select id from public.calendar_conflicts where calendar_account_id = \(Demo.aliceCalendar)"
        let readBobs: SQL = "select id from public.calendar_conflicts where calendar_account_id = \(Demo.bobCalendar)"
        let readGlobex: SQL = "select id from public.calendar_conflicts where organization_id = \(globex)"
        m.add(.select, .alice, "owner reads own account's conflicts", readAlices, .rows(1))
        m.add(.select, .alice, "owner reads bob's conflicts (admin reach)", readBobs, .rows(1))
        m.add(.select, .alice, "owner reads all the organization's conflicts", readAcme, .rows(2))
        m.add(.select, .bob, "member reads the org's conflicts: own only", readAcme, .rows(1))
        m.add(.select, .workerBob, "worker reads the org's conflicts: own only", readAcme, .rows(1))
        m.add(.select, .workerAlice, "owner's worker reads own conflicts only (no admin reach)", readAcme, .rows(1))
        m.add(.select, [.bob, .workerBob], "read alice's conflicts", readAlices, .noRows)
        m.add(.select, .workerAlice, "owner's worker reads bob's conflicts", readBobs, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme conflicts", readAcme,
              .noRows)
        m.add(.select, .gina, "other org's owner reads own organization's conflicts", readGlobex, .rows(1))
        m.add(.select, .hank, "other org's member reads gina's conflicts", readGlobex, .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex conflicts", readGlobex, .noRows)

        // The worker's column grant has no id: the default fills it.
        func record(_ org: UUID, _ account: UUID, _ mapping: UUID, _ appointment: UUID) -> SQL {
            """
            insert into public.calendar_conflicts (organization_id, calendar_account_id, mapping_id, appointment_id,
                                                   crm_version, crm_snapshot, remote_snapshot)
            values (\(org), \(account), \(mapping), \(appointment), 1, '{}', '{"title": "Injected"}')
            """
        }
        let onAlices = record(acme, Demo.aliceCalendar, Seed.aliceMapping3, Seed.acmeAppointment3)
        m.add(.insert, .workerAlice, "worker records a conflict on own account", onAlices, .rows(1))
        m.add(.insert, .workerBob, "worker records a conflict on alice's account", onAlices, .denied)
        m.add(.insert, MatrixActor.workerOutsidersOfAcme, "worker records a conflict on alice's account", onAlices,
              .denied)
        m.add(.insert, .workerHank, "Globex worker records on alice's account under Globex's id",
              record(globex, Demo.aliceCalendar, Seed.aliceMapping3, Seed.acmeAppointment3), .denied)
        // Refused by the policy's mapping check before the composite FK is reached.
        m.add(.insert, .workerAlice, "own account pointed at Globex's mapping",
              record(acme, Demo.aliceCalendar, Seed.globexMapping, Seed.acmeAppointment3), .denied)
        m.add(.insert, .workerAlice, "own account, Globex organization_id",
              record(globex, Demo.aliceCalendar, Seed.globexMapping, Seed.globexAppointment1), .denied)
        m.add(.insert, [.alice, .bob, .hank, .nobody, .hankForgingAcme], "a person records a conflict", onAlices, .denied)
        // The conflict's mapping must be the account's own, pointing at the conflict's appointment:
        // otherwise resolving it would rewrite another member's mapping.
        m.add(.insert, .workerBob, "own account, pointed at alice's mapping and appointment",
              record(acme, Demo.bobCalendar, Seed.aliceMapping3, Seed.acmeAppointment3), .denied)
        m.add(.insert, .workerAlice, "own account and mapping, another appointment",
              record(acme, Demo.aliceCalendar, Seed.aliceMapping3, Seed.acmeAppointment1), .denied)

        let refresh: SQL =
            "update public.calendar_conflicts set remote_etag = 'pwned' where id = \(Seed.aliceConflict)"
        m.add(.update, .workerAlice, "worker refreshes own conflict", refresh, .rows(1))
        m.add(.update, .workerBob, "worker refreshes alice's conflict", refresh, .noRows)
        m.add(.update, MatrixActor.workerOutsidersOfAcme, "worker refreshes alice's conflict", refresh, .noRows)
        m.add(.update, [.alice, .bob, .hank, .nobody, .hankForgingAcme],
              "a person resolves a conflict directly (only through resolve_calendar_conflict)",
              """
              update public.calendar_conflicts set resolution = 'keep_crm', resolved_at = now()
               where id = \(Seed.aliceConflict)
              """, .denied)
        m.add(.update, .workerAlice, "own conflict moved to Globex",
              "update public.calendar_conflicts set organization_id = \(globex) where id = \(Seed.aliceConflict)", .denied)
        m.add(.update, .workerAlice, "own conflict re-pointed at bob's account",
              "update public.calendar_conflicts set calendar_account_id = \(Demo.bobCalendar) where id = \(Seed.aliceConflict)",
              .denied)

        let remove: SQL = "delete from public.calendar_conflicts where id = \(Seed.aliceConflict)"
        m.add(.delete, [.alice, .bob, .hank, .nobody, .hankForgingAcme, .workerAlice, .workerBob, .workerHank],
              "delete a conflict", remove, .denied)

        // resolve_calendar_conflict: only the owner of the conflict's account, in its organization.
        func resolve(_ conflict: UUID) -> SQL {
            "select public.resolve_calendar_conflict(\(conflict), 'keep_crm')"
        }
        m.add(.function, .alice, "resolve_calendar_conflict on own account's conflict", resolve(Seed.aliceConflict),
              .rows(1))
        m.add(.function, .bob, "resolve_calendar_conflict on own account's conflict", resolve(Seed.bobConflict),
              .rows(1))
        m.add(.function, [.bob, .gina, .hank, .nobody, .hankForgingAcme, .aliceForgingGlobex],
              "resolve_calendar_conflict on alice's conflict", resolve(Seed.aliceConflict), .denied)
        m.add(.function, .alice, "resolve_calendar_conflict: owner on bob's conflict (admin reach does not resolve)",
              resolve(Seed.bobConflict), .denied)
        m.add(.function, [.alice, .hank], "resolve_calendar_conflict on Globex's conflict",
              resolve(Seed.globexConflict), .denied)
        m.add(.function, [.workerAlice, .workerBob], "resolve_calendar_conflict as the worker",
              resolve(Seed.aliceConflict), .denied)
        return m.cases
    }

    // MARK: email_messages, email_attachments

    static var messageCases: [MatrixCase] {
        var m = MatrixCases("email_messages")
        let acme = Demo.acme, globex = Demo.globex
        let readAlices: SQL = "select id from public.email_messages where email_account_id = \(Demo.aliceEmail)"
        let readAcme: SQL = "select id from public.email_messages where organization_id = \(acme)"
        m.add(.select, .alice, "member reads own mail", readAlices, .rows(2))
        m.add(.select, .bob, "member reads the org's mail: own only", readAcme, .rows(1))
        m.add(.select, .workerBob, "worker reads the org's mail: own only", readAcme, .rows(1))
        m.add(.select, [.bob, .workerBob], "read alice's mail", readAlices, .noRows)
        m.add(.select, .alice, "owner reads bob's mail (no admin reach)",
              "select id from public.email_messages where email_account_id = \(Seed.bobEmail)", .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme mail", readAcme,
              .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex mail",
              "select id from public.email_messages where organization_id = \(globex)", .noRows)

        func deliver(_ org: UUID, _ account: UUID) -> SQL {
            """
            insert into public.email_messages (id, organization_id, email_account_id, provider_message_id, subject)
            values (\(Seed.new1), \(org), \(account), 'msg-injected', 'Injected')
            """
        }
        m.add(.insert, .workerBob, "worker imports into own mailbox", deliver(acme, Seed.bobEmail), .rows(1))
        m.add(.insert, .workerBob, "worker plants mail in alice's mailbox", deliver(acme, Demo.aliceEmail), .denied)
        m.add(.insert, MatrixActor.workerOutsidersOfAcme, "worker plants mail in Acme", deliver(acme, Demo.aliceEmail),
              .denied)
        m.add(.insert, .workerHank, "worker plants mail in alice's mailbox under Globex's id",
              deliver(globex, Demo.aliceEmail), .denied)
        m.add(.insert, [.alice, .bob], "a person inserts mail", deliver(acme, Seed.bobEmail), .denied)

        let markRead: SQL = "update public.email_messages set is_read = true where id = \(Seed.bobMessage)"
        m.add(.update, .bob, "member marks own mail read", markRead, .rows(1))
        m.add(.update, .workerBob, "worker updates own mail", markRead, .rows(1))
        m.add(.update, .alice, "owner marks bob's mail read", markRead, .noRows)
        m.add(.update, .workerAlice, "owner's worker updates bob's mail", markRead, .noRows)
        m.add(.update, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "update bob's mail", markRead,
              .noRows)
        m.add(.update, .bob, "member rewrites a subject (column not granted)",
              "update public.email_messages set subject = 'Pwned' where id = \(Seed.bobMessage)", .denied)
        m.add(.update, .bob, "member moves own mail to Globex",
              "update public.email_messages set organization_id = \(globex) where id = \(Seed.bobMessage)", .denied)
        m.add(.update, .workerBob, "worker moves own mail to Globex",
              "update public.email_messages set organization_id = \(globex) where id = \(Seed.bobMessage)", .denied)
        m.add(.update, .workerBob, "worker moves own mail into alice's mailbox",
              "update public.email_messages set email_account_id = \(Demo.aliceEmail) where id = \(Seed.bobMessage)",
              .denied)

        let remove: SQL = "delete from public.email_messages where id = \(Seed.bobMessage)"
        m.add(.delete, .bob, "member deletes own mail", remove, .rows(1))
        m.add(.delete, .workerBob, "worker deletes own mail", remove, .rows(1))
        m.add(.delete, .alice, "owner deletes bob's mail", remove, .noRows)
        m.add(.delete, .workerAlice, "owner's worker deletes bob's mail", remove, .noRows)
        m.add(.delete, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "delete bob's mail", remove,
              .noRows)
        return m.cases
    }

    static var attachmentCases: [MatrixCase] {
        var m = MatrixCases("email_attachments")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.email_attachments where organization_id = \(acme)"
        m.add(.select, .alice, "member reads own attachments", readAcme, .rows(2))
        m.add(.select, .workerAlice, "worker reads own attachments", readAcme, .rows(2))
        m.add(.select, [.bob, .workerBob], "read alice's attachments", readAcme, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme attachments",
              readAcme, .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex attachments",
              "select id from public.email_attachments where organization_id = \(globex)", .noRows)

        func attach(_ org: UUID, _ account: UUID?, _ message: UUID) -> SQL {
            if let account {
                return """
                    insert into public.email_attachments (id, organization_id, email_account_id, email_message_id, filename)
                    values (\(Seed.new1), \(org), \(account), \(message), 'evil.exe')
                    """
            }
            return """
                insert into public.email_attachments (id, organization_id, email_message_id, filename)
                values (\(Seed.new1), \(org), \(message), 'evil.exe')
                """
        }
        m.add(.insert, .workerAlice, "worker attaches to own message", attach(acme, Demo.aliceEmail, Seed.aliceMessage),
              .rows(1))
        m.add(.insert, .workerAlice, "worker attaches to own message (account filled by trigger)",
              attach(acme, nil, Seed.aliceMessage), .rows(1))
        m.add(.insert, .workerBob, "worker attaches to alice's message",
              attach(acme, Demo.aliceEmail, Seed.aliceMessage), .denied)
        m.add(.insert, .workerBob, "worker attaches to alice's message (account left to the trigger)",
              attach(acme, nil, Seed.aliceMessage), .denied)
        m.add(.insert, MatrixActor.workerOutsidersOfAcme, "worker attaches in Acme",
              attach(acme, Demo.aliceEmail, Seed.aliceMessage), .denied)
        m.add(.insert, .workerAlice, "own mailbox, bob's message (composite FK)",
              attach(acme, Demo.aliceEmail, Seed.bobMessage), .failsWith("23503"))
        m.add(.insert, .workerAlice, "own mailbox, Globex's message (composite FK)",
              attach(acme, Demo.aliceEmail, Seed.globexMessage), .failsWith("23503"))
        m.add(.insert, [.alice, .bob], "a person inserts attachments",
              attach(acme, Demo.aliceEmail, Seed.aliceMessage), .denied)

        let rename: SQL = "update public.email_attachments set filename = 'evil.exe' where id = \(Seed.aliceAttachment)"
        m.add(.update, .workerAlice, "worker updates own attachment", rename, .rows(1))
        m.add(.update, .workerBob, "worker updates alice's attachment", rename, .noRows)
        m.add(.update, MatrixActor.workerOutsidersOfAcme, "worker updates alice's attachment", rename, .noRows)
        m.add(.update, [.alice, .hank], "a person updates attachments", rename, .denied)
        m.add(.update, .workerAlice, "own attachment moved to Globex",
              "update public.email_attachments set organization_id = \(globex) where id = \(Seed.aliceAttachment)",
              .denied)
        m.add(.update, .workerAlice, "own attachment re-pointed at bob's mailbox",
              "update public.email_attachments set email_account_id = \(Seed.bobEmail) where id = \(Seed.aliceAttachment)",
              .denied)

        let remove: SQL = "delete from public.email_attachments where id = \(Seed.aliceAttachment)"
        m.add(.delete, .alice, "member deletes own attachment", remove, .rows(1))
        m.add(.delete, .workerAlice, "worker deletes own attachment", remove, .rows(1))
        m.add(.delete, [.bob, .workerBob], "delete alice's attachment", remove, .noRows)
        m.add(.delete, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "delete alice's attachment",
              remove, .noRows)
        return m.cases
    }

    // MARK: oauth_secrets, audit_log

    static var oauthSecretCases: [MatrixCase] {
        var m = MatrixCases("oauth_secrets")
        let everyone: [MatrixActor] = [.alice, .bob, .gina, .hank, .nobody, .hankForgingAcme, .workerAlice, .workerGina,
                                       .workerNobody]
        m.add(.select, everyone, "read OAuth clients", "select client_id from public.oauth_secrets", .denied)
        m.add(.insert, everyone, "plant an OAuth client",
              """
              insert into public.oauth_secrets (organization_id, provider, client_id, client_secret_encrypted, key_id)
              values (\(Demo.acme), 'google', 'evil-client', decode('00', 'hex'), 'k')
              """, .denied)
        m.add(.update, everyone, "replace an OAuth client",
              "update public.oauth_secrets set client_id = 'evil-client' where organization_id = \(Demo.globex)", .denied)
        m.add(.delete, everyone, "delete OAuth clients", "delete from public.oauth_secrets", .denied)
        return m.cases
    }

    static var auditLogCases: [MatrixCase] {
        var m = MatrixCases("audit_log")
        let acme = Demo.acme
        let readAcme: SQL =
            "select id from public.audit_log where organization_id = \(acme) and action = 'calendar_account.connected'"
        m.add(.select, .alice, "owner reads the organization's audit log", readAcme, .rows(2))
        m.add(.select, .bob, "member reads the audit log", readAcme, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme, "read Acme's audit log", readAcme, .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex's audit log",
              "select id from public.audit_log where organization_id = \(Demo.globex)", .noRows)
        m.add(.select, [.alice, .gina], "org owner reads platform events",
              "select id from public.audit_log where organization_id is null", .noRows)
        m.add(.select, [.workerAlice, .workerHank], "worker reads the audit log", readAcme, .denied)

        let forge: SQL = "insert into public.audit_log (organization_id, action) values (\(acme), 'forged')"
        m.add(.insert, [.alice, .bob, .hank, .nobody, .workerAlice], "forge an audit row", forge, .denied)
        let rewrite: SQL = "update public.audit_log set action = 'nothing' where organization_id = \(acme)"
        m.add(.update, [.alice, .bob, .hank, .nobody, .workerAlice], "rewrite the audit log", rewrite, .denied)
        let erase: SQL = "delete from public.audit_log where organization_id = \(acme)"
        m.add(.delete, [.alice, .bob, .hank, .nobody, .workerAlice], "erase the audit log", erase, .denied)
        return m.cases
    }

    // MARK: functions, private helpers, role escapes

    static var functionCases: [MatrixCase] {
        var m = MatrixCases("functions")
        let acme = Demo.acme, globex = Demo.globex

        // store_calendar_account_tokens
        func storeCalendar(_ account: UUID) -> SQL {
            "select public.store_calendar_account_tokens(\(account), 'evil-access', 'evil-refresh', now() + interval '1 hour')"
        }
        m.add(.function, .bob, "store_calendar_account_tokens on own account", storeCalendar(Demo.bobCalendar), .rows(1))
        m.add(.function, .workerBob, "store_calendar_account_tokens on own account (refresh)",
              storeCalendar(Demo.bobCalendar), .rows(1))
        m.add(.function, [.bob, .gina, .hank, .nobody, .hankForgingAcme, .aliceForgingGlobex, .workerBob,
                          .workerHank, .workerNobody, .workerAliceForgingGlobex],
              "store_calendar_account_tokens on alice's account",
              storeCalendar(Demo.aliceCalendar), .denied)
        m.add(.function, .alice, "store_calendar_account_tokens: owner on bob's account", storeCalendar(Demo.bobCalendar),
              .denied)

        // calendar_account_tokens
        func readCalendar(_ account: UUID) -> SQL {
            "select access_token from public.calendar_account_tokens(\(account))"
        }
        m.add(.function, .workerAlice, "calendar_account_tokens of own account", readCalendar(Demo.aliceCalendar), .rows(1))
        m.add(.function, [.alice, .bob, .nobody], "calendar_account_tokens as a person",
              readCalendar(Demo.aliceCalendar), .denied)
        m.add(.function, [.workerBob, .workerHank, .workerGina, .workerNobody, .workerHankForgingAcme,
                          .workerAliceForgingGlobex],
              "calendar_account_tokens of alice's account", readCalendar(Demo.aliceCalendar), .denied)
        m.add(.function, .workerAlice, "calendar_account_tokens: owner's worker on bob's account",
              readCalendar(Demo.bobCalendar), .denied)
        m.add(.function, .workerAlice, "calendar_account_tokens: Globex account",
              readCalendar(Demo.ginaCalendar), .denied)

        // store_email_account_secrets
        func storeEmail(_ account: UUID) -> SQL {
            "select public.store_email_account_secrets(\(account), 'evil-password', null, null, null)"
        }
        m.add(.function, .bob, "store_email_account_secrets on own mailbox", storeEmail(Seed.bobEmail), .rows(1))
        m.add(.function, [.bob, .gina, .hank, .nobody, .hankForgingAcme, .aliceForgingGlobex, .workerBob,
                          .workerHank, .workerNobody],
              "store_email_account_secrets on alice's mailbox", storeEmail(Demo.aliceEmail), .denied)
        m.add(.function, .alice, "store_email_account_secrets: owner on bob's mailbox", storeEmail(Seed.bobEmail),
              .denied)

        // email_account_secrets
        func readEmail(_ account: UUID) -> SQL {
            "select access_token from public.email_account_secrets(\(account))"
        }
        m.add(.function, .workerAlice, "email_account_secrets of own mailbox", readEmail(Demo.aliceEmail), .rows(1))
        m.add(.function, [.alice, .bob], "email_account_secrets as a person", readEmail(Demo.aliceEmail), .denied)
        m.add(.function, [.workerBob, .workerHank, .workerNobody, .workerHankForgingAcme, .workerAliceForgingGlobex],
              "email_account_secrets of alice's mailbox", readEmail(Demo.aliceEmail), .denied)
        m.add(.function, .workerGina, "email_account_secrets: Globex owner's worker on hank's mailbox",
              readEmail(Seed.hankEmail), .denied)

        // OAuth clients
        m.add(.function, [.alice, .bob, .hank, .nobody, .workerAlice, .workerHank], "set_oauth_client for Acme",
              "select public.set_oauth_client('google', 'evil-client', 'evil-secret', \(acme))", .denied)
        m.add(.function, [.alice, .workerAlice], "set_oauth_client replaces the platform app",
              "select public.set_oauth_client('google', 'evil-client', 'evil-secret')", .denied)
        let oauth: SQL = "select client_id from public.oauth_client_credentials('google')"
        m.add(.function, .workerBob, "oauth_client_credentials: Acme gets the platform app, not Globex's", oauth,
              .value("demo-platform.apps.googleusercontent.com"))
        m.add(.function, .workerHank, "oauth_client_credentials: Globex gets its own app", oauth,
              .value("demo-globex.apps.googleusercontent.com"))
        m.add(.function, [.alice, .hank], "oauth_client_credentials as a person", oauth, .denied)
        m.add(.function, [.workerNobody, .workerHankForgingAcme, .workerAliceForgingGlobex],
              "oauth_client_credentials without a real organization", oauth, .denied)

        // private helpers granted to both roles: they only ever describe the caller.
        m.add(.function, .hankForgingAcme, "private.current_org_id()", "select private.current_org_id()", .value(nil))
        m.add(.function, .aliceForgingGlobex, "private.current_org_role()", "select private.current_org_role()",
              .value(nil))
        m.add(.function, .aliceForgingGlobex, "private.is_org_admin()", "select private.is_org_admin()", .value("f"))
        m.add(.function, .bob, "private.is_org_admin()", "select private.is_org_admin()", .value("f"))
        m.add(.function, .alice, "private.is_org_admin()", "select private.is_org_admin()", .value("t"))
        m.add(.function, [.alice, .hankForgingAcme], "private.is_super_admin() (off by default)",
              "select private.is_super_admin()", .value("f"))
        m.add(.function, [.nobody, .hankForgingAcme, .workerNobody, .workerAliceForgingGlobex],
              "private.readable_org_ids()", "select private.readable_org_ids()::text", .value("{}"))
        m.add(.function, .bob, "private.readable_org_ids()", "select private.readable_org_ids()::text",
              .value("{\(acme.uuidString.lowercased())}"))
        m.add(.function, .hank, "private.readable_org_ids()", "select private.readable_org_ids()::text",
              .value("{\(globex.uuidString.lowercased())}"))
        m.add(.function, .bob, "private.my_calendar_account_ids()", "select private.my_calendar_account_ids()::text",
              .value("{\(Demo.bobCalendar.uuidString.lowercased())}"))
        m.add(.function, .alice, "private.my_email_account_ids() (owner: own only)",
              "select private.my_email_account_ids()::text", .value("{\(Demo.aliceEmail.uuidString.lowercased())}"))
        m.add(.function, [.hankForgingAcme, .aliceForgingGlobex, .nobody], "private.my_calendar_account_ids()",
              "select cardinality(private.my_calendar_account_ids())", .value("0"))
        m.add(.function, [.hankForgingAcme, .aliceForgingGlobex, .nobody], "private.my_email_account_ids()",
              "select cardinality(private.my_email_account_ids())", .value("0"))

        // private functions no client role may execute.
        let ownerOnly: [(String, SQL)] = [
            ("private.token_key()", "select private.token_key()"),
            ("private.token_key_id()", "select private.token_key_id('some key')"),
            ("private.encrypt_secret()", "select private.encrypt_secret('x')"),
            ("private.decrypt_secret()", "select private.decrypt_secret(decode('00', 'hex'), 'k')"),
            ("private.keep_or_encrypt()", "select private.keep_or_encrypt('x', null, null, 'k')"),
            ("private.write_audit()", "select private.write_audit(\(acme), 'forged')"),
            ("private.rotate_secrets_batch()", "select * from private.rotate_secrets_batch(1)"),
            ("private.set_updated_at()", "select private.set_updated_at()"),
            ("private.forbid_organization_change()", "select private.forbid_organization_change()"),
            ("private.forbid_audit_log_change()", "select private.forbid_audit_log_change()"),
            ("private.audit_account_change()", "select private.audit_account_change()"),
            ("private.bump_crm_version()", "select private.bump_crm_version()"),
            ("private.fill_attachment_account()", "select private.fill_attachment_account()"),
        ]
        for (name, sql) in ownerOnly {
            m.add(.function, [.alice, .workerAlice], name, sql, .denied)
        }
        m.add(.select, [.alice, .workerAlice], "private.super_admins", "select user_id from private.super_admins",
              .denied, table: "private.super_admins")
        m.add(.insert, [.hank, .alice, .workerHank], "self-promotion to super admin",
              "insert into private.super_admins (user_id) values (\((Demo.hank)))", .denied, table: "private.super_admins")

        // Escapes from the session's identity.
        m.add(.session, .bob, "switching app.org_id to Globex inside the session",
              "select id from public.appointments where organization_id = \(globex)", .noRows,
              prelude: ["select set_config('app.org_id', \(globex.uuidString.lowercased()), true)"])
        m.add(.session, .bob, "reset role to the login role", "select id from public.appointments", .denied,
              prelude: ["reset role"])
        m.add(.session, [.bob, .workerBob], "set role to the owner", "set local role crmsync_owner", .denied)
        return m.cases
    }

    // MARK: monitoring views

    static var viewCases: [MatrixCase] {
        var m = MatrixCases("views")
        let acme = Demo.acme, globex = Demo.globex
        let health: SQL = "select id from public.calendar_account_health where organization_id = \(acme)"
        m.add(.view, .alice, "calendar_account_health: owner sees the organization's accounts", health, .rows(2))
        m.add(.view, .bob, "calendar_account_health: member sees own account", health, .rows(1))
        m.add(.view, .workerAlice, "calendar_account_health: worker sees own account", health, .rows(1))
        m.add(.view, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme,
              "calendar_account_health of Acme", health, .noRows)
        m.add(.view, .aliceForgingGlobex, "calendar_account_health of Globex",
              "select id from public.calendar_account_health where organization_id = \(globex)", .noRows)

        let errors: SQL = "select id from public.recent_sync_errors where organization_id = \(acme)"
        m.add(.view, .alice, "recent_sync_errors: owner sees the organization's failures", errors, .rows(2))
        m.add(.view, .bob, "recent_sync_errors: member sees own failures", errors, .rows(2))
        m.add(.view, .workerAlice, "recent_sync_errors: owner's worker sees bob's failures",
              "select id from public.recent_sync_errors where calendar_account_id = \(Demo.bobCalendar)", .noRows)
        m.add(.view, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "recent_sync_errors of Acme",
              errors, .noRows)
        m.add(.view, .aliceForgingGlobex, "recent_sync_errors of Globex",
              "select id from public.recent_sync_errors where organization_id = \(globex)", .noRows)

        let volume: SQL = "select sum(runs)::int from public.organization_sync_volume where organization_id = \(acme)"
        m.add(.view, .alice, "organization_sync_volume: owner counts all runs", volume, .value("4"))
        m.add(.view, .bob, "organization_sync_volume: member counts own runs", volume, .value("2"))
        m.add(.view, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme,
              "organization_sync_volume of Acme", volume, .value(nil))
        m.add(.view, .aliceForgingGlobex, "organization_sync_volume of Globex",
              "select sum(runs)::int from public.organization_sync_volume where organization_id = \(globex)", .value(nil))

        // Not automatically updatable (join / group by): 55000 before any privilege check.
        m.add(.view, [.alice, .workerAlice], "write through calendar_account_health",
              "delete from public.calendar_account_health where organization_id = \(acme)", .failsWith("55000"))
        m.add(.view, [.alice, .workerAlice], "write through recent_sync_errors",
              "delete from public.recent_sync_errors", .failsWith("55000"))
        m.add(.view, [.alice, .hank], "write through organization_sync_volume",
              "update public.organization_sync_volume set runs = 0", .failsWith("55000"))
        return m.cases
    }

    // MARK: super admin

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
            ("email_messages", "select id from public.email_messages where organization_id = \(globex)", 3),
            ("email_attachments", "select id from public.email_attachments where organization_id = \(globex)", 2),
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

    // MARK: the runner

    /// Runs every case against one scratch database and checks the outcome and that nothing
    /// changed. Returns the number of cases run.
    @discardableResult
    static func run(_ cases: [MatrixCase], on database: TestDatabase) async throws -> Int {
        let tenant = database.tenant(maxConnections: 1)
        let admin = try await database.adminConnection()
        for matrixCase in cases {
            let before = try await Self.checksums(admin)
            let observed = await Self.observe(matrixCase, tenant: tenant)
            Self.judge(matrixCase, observed)
            let after = try await Self.checksums(admin)
            for (table, sum) in before where after[table] != sum {
                Issue.record("\(matrixCase): \(table) changed (refused cases must leave every table as it was)")
            }
        }
        return cases.count
    }

    enum Observed: Sendable {
        case count(Int, firstValue: String?)
        case error(PostgresError)
        case other(any Error)
    }

    /// Thrown inside the session to roll an allowed case back after observing it.
    struct RollBack: Error { var observed: Observed }

    static func observe(_ matrixCase: MatrixCase, tenant: TenantDatabase) async -> Observed {
        do {
            return try await tenant.withSession(matrixCase.actor.identity, role: matrixCase.actor.role, secrets: true) {
                connection in
                for statement in matrixCase.prelude { try await connection.query(statement) }
                let result = try await connection.query(matrixCase.sql)
                let count = result.columns.isEmpty ? result.affectedRows : result.count
                let first = result.first?.values.first ?? nil
                let observed = Observed.count(count, firstValue: first)
                // Allowed cases are undone; refused ones commit, so anything they did would show.
                if matrixCase.outcome.isAllowed { throw RollBack(observed: observed) }
                return observed
            }
        } catch let rollBack as RollBack {
            return rollBack.observed
        } catch let error as PostgresError {
            return .error(error)
        } catch {
            return .other(error)
        }
    }

    static func judge(_ matrixCase: MatrixCase, _ observed: Observed) {
        let label = "\(matrixCase) [expected \(matrixCase.outcome)]"
        switch (matrixCase.outcome, observed) {
        case (.rows(let expected), .count(let count, _)):
            #expect(count == expected, "\(label): got \(count) row(s)")
        case (.value(let expected), .count(let count, let value)):
            #expect(count == 1 && value == expected, "\(label): got \(count) row(s), value \(value ?? "NULL")")
        case (.noRows, .count(let count, let value)):
            #expect(count == 0, "\(label): LEAK — got \(count) row(s), first value \(value ?? "NULL")")
        case (.denied, .error(let error)):
            let refused = error.code == .insufficientPrivilege || error.code == .withCheckOptionViolation
                || error.message.contains("row-level security policy")
            #expect(refused, "\(label): got \(error.debugDescription)")
        case (.failsWith(let code), .error(let error)):
            #expect(error.code?.rawValue == code, "\(label): got \(error.debugDescription)")
        case (_, .count(let count, let value)):
            Issue.record("\(label): ALLOWED — got \(count) row(s), first value \(value ?? "NULL")")
        case (_, .error(let error)):
            Issue.record("\(label): got \(error.debugDescription)")
        case (_, .other(let error)):
            Issue.record("\(label): got \(error)")
        }
    }

    /// md5 of every row of every table the matrix touches, read as the superuser.
    static func checksums(_ admin: PostgresConnection) async throws -> [String: String] {
        let tables = tenancyMatrixTables.map { "public.\($0)" } + ["private.super_admins"]
        let query = tables.map {
            "select '\($0)', md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from \($0) t"
        }.joined(separator: " union all ")
        let rows = try await admin.query(SQL(stringLiteral: query))
        var sums: [String: String] = [:]
        for row in rows.rows { sums[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1) }
        return sums
    }

    static func caseCount(_ cases: [MatrixCase], table: String) -> Int {
        cases.filter { $0.table == table }.count
    }

    // MARK: the tests

    static var allTableCases: [MatrixCase] {
        Self.organizationCases + Self.membershipCases + Self.appointmentCases + Self.calendarAccountCases
            + Self.emailAccountCases + Self.mappingCases + Self.syncLogCases + Self.conflictCases + Self.messageCases
            + Self.attachmentCases + Self.oauthSecretCases + Self.auditLogCases + Self.pushChannelCases
            + Self.connectStateCases
    }

    @Test("the matrix covers every table × SELECT/INSERT/UPDATE/DELETE × outsider, member, owner, nobody, forged, worker")
    func coverage() {
        let cases = Self.allTableCases
        for table in tenancyMatrixTables {
            for command in [MatrixCommand.select, .insert, .update, .delete] {
                let cell = cases.filter { $0.table == table && $0.command == command }
                #expect(cell.contains { !$0.outcome.isAllowed }, "\(table)/\(command.rawValue): no refused case")
                let actors = Set(cell.map(\.actor.name))
                #expect(actors.contains(MatrixActor.hank.name) || actors.contains(MatrixActor.workerHank.name),
                        "\(table)/\(command.rawValue): no other-organization actor")
                #expect(actors.contains(MatrixActor.nobody.name) || actors.contains(MatrixActor.workerNobody.name)
                            || actors.contains(MatrixActor.workerAlice.name),
                        "\(table)/\(command.rawValue): no no-identity (or worker) actor")
            }
            let actors = Set(cases.filter { $0.table == table }.map(\.actor.name))
            for required in [MatrixActor.hank, .bob, .alice, .nobody, .hankForgingAcme] {
                #expect(actors.contains(required.name), "\(table): no case for \(required)")
            }
            #expect(actors.contains { $0.hasPrefix("worker:") }, "\(table): no case for the worker role")
        }
    }

    @Test("organizations and user_organizations")
    func organizations() async throws {
        try await TestDatabase.with("tm_orgs") { database in
            try await Self.run(Self.organizationCases + Self.membershipCases, on: database)
        }
    }

    @Test("appointments")
    func appointments() async throws {
        try await TestDatabase.with("tm_appts") { database in
            try await Self.run(Self.appointmentCases, on: database)
        }
    }

    @Test("calendar_accounts and email_accounts (incl. ciphertext columns)")
    func accounts() async throws {
        try await TestDatabase.with("tm_accounts") { database in
            try await Self.run(Self.calendarAccountCases + Self.emailAccountCases, on: database)
        }
    }

    @Test("calendar_event_mappings and calendar_sync_log")
    func calendarSync() async throws {
        try await TestDatabase.with("tm_calsync") { database in
            try await Self.run(Self.mappingCases + Self.syncLogCases, on: database)
        }
    }

    @Test("calendar_conflicts and resolve_calendar_conflict")
    func calendarConflicts() async throws {
        try await TestDatabase.with("tm_conflicts") { database in
            try await Self.insertConflicts(try await database.adminConnection())
            try await Self.run(Self.conflictCases, on: database)
        }
    }

    @Test("email_messages and email_attachments")
    func mail() async throws {
        try await TestDatabase.with("tm_mail") { database in
            try await Self.run(Self.messageCases + Self.attachmentCases, on: database)
        }
    }

    @Test("oauth_secrets and audit_log; even the superuser can neither move a row nor change the audit log")
    func secretsAndAudit() async throws {
        try await TestDatabase.with("tm_audit") { database in
            try await Self.run(Self.oauthSecretCases + Self.auditLogCases, on: database)
            let admin = try await database.adminConnection()

            // The matrix's table list is the live schema's: a new table must get cases.
            let live = try await admin.query(
                """
                select c.relname::text from pg_class c
                 where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
                   and c.relname <> 'schema_migrations' order by 1
                """
            ).rows.map { try $0.decode(String.self, at: 0) }
            #expect(Set(live).subtracting(tenancyMatrixTables).isEmpty,
                    "tables without tenancy-matrix cases: \(Set(live).subtracting(tenancyMatrixTables).sorted())")
            let forced = try await admin.query(
                """
                select c.relname::text from pg_class c
                 where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
                   and c.relrowsecurity and c.relforcerowsecurity
                """
            ).rows.map { try $0.decode(String.self, at: 0) }
            #expect(Set(tenancyMatrixTables).isSubset(of: Set(forced)), "RLS not enabled+forced on every matrix table")

            // oauth_secrets: invisible to every client role above, visible to the superuser.
            let clients = try await admin.query("select count(*) from public.oauth_secrets").first?.decode(Int.self, at: 0)
            #expect(clients == 3, "the superuser sees the seed's three OAuth clients")

            // No row moves to another organization, whoever asks; audit_log is append-only.
            // (The seed has no calendar conflicts: give the attempt on calendar_conflicts rows to move.)
            try await Self.insertConflicts(admin)
            try await Self.insertPushChannels(admin)
            try await Self.insertConnectStates(database)
            let before = try await Self.checksums(admin)
            var attempts: [(String, String)] = [
                ("organizations", "update public.organizations set id = gen_random_uuid() where id = '\(Demo.acme)'"),
                ("oauth_secrets",
                 "update public.oauth_secrets set organization_id = '\(Demo.acme)' where organization_id = '\(Demo.globex)'"),
                ("audit_log", "update public.audit_log set action = 'nothing'"),
                ("audit_log", "delete from public.audit_log"),
                ("audit_log", "truncate public.audit_log"),
            ]
            for table in tenancyMatrixTables where !["organizations", "oauth_secrets", "audit_log"].contains(table) {
                attempts.append((table,
                    "update public.\(table) set organization_id = '\(Demo.globex)' where organization_id = '\(Demo.acme)'"))
            }
            for (table, statement) in attempts {
                do {
                    try await admin.execute(statement)
                    Issue.record("superuser: \(statement) succeeded")
                } catch let error as PostgresError {
                    #expect(error.code == .insufficientPrivilege, "superuser \(table): \(error.debugDescription)")
                }
            }
            #expect(try await Self.checksums(admin) == before, "a superuser statement changed a table")
        }
    }

    @Test("every secret function, private helper and role escape as the wrong actor")
    func functions() async throws {
        try await TestDatabase.with("tm_functions") { database in
            try await Self.run(Self.functionCases, on: database)
        }
    }

    @Test("monitoring views respect the caller's reach and are read-only")
    func views() async throws {
        try await TestDatabase.with("tm_views") { database in
            try await Self.run(Self.viewCases, on: database)
        }
    }

    @Test("a super admin reads every organization but writes none of another's and reads no secret")
    func superAdmin() async throws {
        try await TestDatabase.with("tm_super") { database in
            try await Self.run(Self.superAdminOffCases, on: database)
            let admin = try await database.adminConnection()
            try await admin.query(
                "insert into private.super_admins (user_id) values (\(Seed.sam)), (\(Demo.alice))")
            try await Self.run(Self.superAdminCases, on: database)
        }
    }
}
