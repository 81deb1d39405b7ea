import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for every secret function, private helper and role escape as the wrong actor.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
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
        m.add(.function, [.nobody, .bob, .aliceForgingGlobex, .hankForgingAcme], "private.reads_whole_organization()",
              "select private.reads_whole_organization()", .value("f"))
        m.add(.function, .alice, "private.reads_whole_organization()", "select private.reads_whole_organization()", .value("t"))
        m.add(.function, [.nobody, .aliceForgingGlobex, .hankForgingAcme], "private.readable_calendar_account_ids()",
              "select cardinality(private.readable_calendar_account_ids())", .value("0"))
        m.add(.function, .bob, "private.readable_calendar_account_ids() (own only)",
              """
              select private.readable_calendar_account_ids() <@ private.my_calendar_account_ids()
                 and private.my_calendar_account_ids() <@ private.readable_calendar_account_ids()
                 and cardinality(private.my_calendar_account_ids()) > 0
              """, .value("t"))
        m.add(.function, .alice, "private.readable_calendar_account_ids() (the organization's, as admin)",
              "select cardinality(private.readable_calendar_account_ids()) > cardinality(private.my_calendar_account_ids())", .value("t"))
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

    @Test("every secret function, private helper and role escape as the wrong actor")
    func functions() async throws {
        try await TestDatabase.with("tm_functions") { database in
            _ = try await Self.run(Self.functionCases, on: database)
        }
    }
}
