import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.email_sync_log: read by the mailbox's owner, written by its worker, never deleted.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
    static var emailSyncLogCases: [MatrixCase] {
        var m = MatrixCases("email_sync_log")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.email_sync_log where organization_id = \(acme)"
        let readAlices: SQL = "select id from public.email_sync_log where email_account_id = \(Demo.aliceEmail)"
        m.add(.select, .alice, "owner reads the org's mail runs: own only (no admin reach into mail)", readAcme, .rows(1))
        m.add(.select, [.bob, .workerBob], "reads the org's mail runs: own only", readAcme, .rows(1))
        m.add(.select, [.bob, .workerBob], "read alice's runs", readAlices, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme runs", readAcme,
              .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex runs",
              "select id from public.email_sync_log where organization_id = \(globex)", .noRows)

        func log(_ org: UUID, _ account: UUID) -> SQL {
            """
            insert into public.email_sync_log (id, organization_id, email_account_id, status)
            values (\(Seed.new1), \(org), \(account), 'success')
            """
        }
        m.add(.insert, .workerBob, "worker logs a run of own mailbox", log(acme, Seed.bobEmail), .rows(1))
        m.add(.insert, .workerBob, "worker logs a run of alice's mailbox", log(acme, Demo.aliceEmail), .denied)
        m.add(.insert, MatrixActor.workerOutsidersOfAcme, "worker logs a run in Acme", log(acme, Demo.aliceEmail), .denied)
        m.add(.insert, .workerBob, "worker logs own run under Globex's organization_id", log(globex, Seed.bobEmail),
              .denied)
        m.add(.insert, [.alice, .bob, .hank, .nobody, .hankForgingAcme], "a person forges a run",
              log(acme, Seed.bobEmail), .denied)

        let rewrite: SQL = "update public.email_sync_log set status = 'success' where id = \(Seed.aliceMailLog)"
        m.add(.update, .workerAlice, "worker completes own run", rewrite, .rows(1))
        m.add(.update, .workerBob, "worker rewrites alice's run", rewrite, .noRows)
        m.add(.update, MatrixActor.workerOutsidersOfAcme, "worker rewrites alice's run", rewrite, .noRows)
        m.add(.update, [.alice, .bob, .hank, .nobody, .hankForgingAcme], "a person rewrites history", rewrite, .denied)
        m.add(.update, .workerBob, "own run moved to Globex",
              "update public.email_sync_log set organization_id = \(globex) where id = \(Seed.bobMailLog)", .denied)
        m.add(.update, .workerBob, "own run re-pointed at alice's mailbox",
              "update public.email_sync_log set email_account_id = \(Demo.aliceEmail) where id = \(Seed.bobMailLog)",
              .denied)

        let remove: SQL = "delete from public.email_sync_log where id = \(Seed.aliceMailLog)"
        m.add(.delete, [.alice, .bob, .hank, .nobody, .hankForgingAcme, .workerAlice, .workerBob, .workerHank],
              "delete history", remove, .denied)
        return m.cases
    }

    @Test("email_sync_log")
    func emailSyncLog() async throws {
        try await Self.runWithMailFixtures("tm_email_synclog", Self.emailSyncLogCases)
    }
}
