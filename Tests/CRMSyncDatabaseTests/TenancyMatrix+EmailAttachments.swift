import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.email_attachments.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
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

    @Test("email_attachments")
    func emailAttachments() async throws {
        try await TestDatabase.with("tm_attachments") { database in
            _ = try await Self.run(Self.attachmentCases, on: database)
        }
    }
}
