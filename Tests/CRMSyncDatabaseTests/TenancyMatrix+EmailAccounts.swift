import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.email_accounts, including its ciphertext columns.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
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

    @Test("email_accounts (incl. ciphertext columns)")
    func emailAccounts() async throws {
        try await TestDatabase.with("tm_mailaccounts") { database in
            _ = try await Self.run(Self.emailAccountCases, on: database)
        }
    }
}
