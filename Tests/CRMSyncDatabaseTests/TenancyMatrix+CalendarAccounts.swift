import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.calendar_accounts, including its ciphertext columns.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
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

    @Test("calendar_accounts (incl. ciphertext columns)")
    func calendarAccounts() async throws {
        try await TestDatabase.with("tm_calaccounts") { database in
            _ = try await Self.run(Self.calendarAccountCases, on: database)
        }
    }
}
