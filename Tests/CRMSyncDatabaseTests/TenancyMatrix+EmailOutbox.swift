import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.email_outbox: read by the mailbox's owner and its worker;
// written only through queue_email / claim_email_outbox / finish_email_send (TenancyMatrix+EmailFunctions).
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
    static var emailOutboxCases: [MatrixCase] {
        var m = MatrixCases("email_outbox")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.email_outbox where organization_id = \(acme)"
        let readAlices: SQL = "select id from public.email_outbox where email_account_id = \(Demo.aliceEmail)"
        m.add(.select, [.alice, .workerAlice], "reads own outbox", readAlices, .rows(1))
        m.add(.select, .alice, "owner reads the org's outbox: own only", readAcme, .rows(1))
        m.add(.select, [.bob, .workerBob], "read alice's outbox", readAlices, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme outbox", readAcme,
              .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex outbox",
              "select id from public.email_outbox where organization_id = \(globex)", .noRows)

        let enqueue: SQL = """
            insert into public.email_outbox (id, organization_id, email_account_id, message_id, from_address, to_addresses,
                                             raw_mime)
            values (\(Seed.new1), \(acme), \(Seed.bobEmail), '<forged@crm.test>', 'bob@acme.example', '{x@y.example}', '\\x41')
            """
        m.add(.insert, [.alice, .bob, .hank, .nobody, .hankForgingAcme, .workerBob, .workerHank, .workerNobody],
              "a direct insert (only queue_email writes)", enqueue, .denied)

        let resend: SQL = "update public.email_outbox set status = 'queued', attempts = 0 where id = \(Seed.bobOutbox)"
        m.add(.update, [.alice, .bob, .hank, .nobody, .hankForgingAcme, .workerBob, .workerHank, .workerNobody],
              "a direct update (only the functions write)", resend, .denied)
        m.add(.update, .bob, "own outbox moved to Globex",
              "update public.email_outbox set organization_id = \(globex) where id = \(Seed.bobOutbox)", .denied)

        let remove: SQL = "delete from public.email_outbox where id = \(Seed.bobOutbox)"
        m.add(.delete, [.alice, .bob, .hank, .nobody, .hankForgingAcme, .workerBob, .workerHank, .workerNobody],
              "a direct delete", remove, .denied)
        return m.cases
    }

    @Test("email_outbox")
    func emailOutbox() async throws {
        try await Self.runWithMailFixtures("tm_email_outbox", Self.emailOutboxCases)
    }
}
