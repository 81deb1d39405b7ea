import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.email_messages.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
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
            insert into public.email_messages (id, organization_id, email_account_id, provider_message_id, from_address)
            values (\(Seed.new1), \(org), \(account), 'msg-injected', 'injected@example.test')
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
              "update public.email_message_subjects set subject = 'Pwned' where email_message_id = \(Seed.bobMessage)", .denied)
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

    @Test("email_messages")
    func emailMessages() async throws {
        try await TestDatabase.with("tm_messages") { database in
            _ = try await Self.run(Self.messageCases, on: database)
        }
    }
}
