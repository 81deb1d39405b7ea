import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.email_folders: read by the mailbox's owner, written by its worker.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
    static var emailFolderCases: [MatrixCase] {
        var m = MatrixCases("email_folders")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.email_folders where organization_id = \(acme)"
        let readAlices: SQL = "select id from public.email_folders where email_account_id = \(Demo.aliceEmail)"
        m.add(.select, .alice, "member reads own folders", readAlices, .rows(1))
        m.add(.select, .alice, "owner reads the org's folders: own only (no admin reach into mail)", readAcme, .rows(1))
        m.add(.select, [.bob, .workerBob], "reads the org's folders: own only", readAcme, .rows(1))
        m.add(.select, [.bob, .workerBob], "read alice's folders", readAlices, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme folders", readAcme,
              .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex folders",
              "select id from public.email_folders where organization_id = \(globex)", .noRows)

        func folder(_ org: UUID, _ account: UUID) -> SQL {
            """
            insert into public.email_folders (id, organization_id, email_account_id, name)
            values (\(Seed.new1), \(org), \(account), 'Archive')
            """
        }
        m.add(.insert, .workerBob, "worker adds a folder to own mailbox", folder(acme, Seed.bobEmail), .rows(1))
        m.add(.insert, .workerBob, "worker adds a folder to alice's mailbox", folder(acme, Demo.aliceEmail), .denied)
        m.add(.insert, MatrixActor.workerOutsidersOfAcme, "worker adds a folder in Acme", folder(acme, Demo.aliceEmail),
              .denied)
        m.add(.insert, .workerHank, "worker adds a folder to alice's mailbox under Globex's id",
              folder(globex, Demo.aliceEmail), .denied)
        m.add(.insert, [.alice, .bob, .hank, .nobody, .hankForgingAcme], "a person adds a folder (no grant)",
              folder(acme, Seed.bobEmail), .denied)

        let advance: SQL = "update public.email_folders set last_uid = 99 where id = \(Seed.bobFolder)"
        m.add(.update, .workerBob, "worker moves own cursor", advance, .rows(1))
        m.add(.update, .workerAlice, "owner's worker moves bob's cursor", advance, .noRows)
        m.add(.update, MatrixActor.workerOutsidersOfAcme, "worker moves bob's cursor", advance, .noRows)
        m.add(.update, [.alice, .bob, .hank, .nobody, .hankForgingAcme], "a person moves a cursor (no grant)", advance,
              .denied)
        m.add(.update, .workerBob, "own folder moved to Globex",
              "update public.email_folders set organization_id = \(globex) where id = \(Seed.bobFolder)", .denied)
        m.add(.update, .workerBob, "own folder re-pointed at alice's mailbox",
              "update public.email_folders set email_account_id = \(Demo.aliceEmail) where id = \(Seed.bobFolder)", .denied)

        let remove: SQL = "delete from public.email_folders where id = \(Seed.bobFolder)"
        m.add(.delete, .workerBob, "worker drops own folder", remove, .rows(1))
        m.add(.delete, .workerAlice, "owner's worker drops bob's folder", remove, .noRows)
        m.add(.delete, MatrixActor.workerOutsidersOfAcme, "worker drops bob's folder", remove, .noRows)
        m.add(.delete, [.alice, .bob, .hank, .nobody, .hankForgingAcme], "a person drops a folder (no grant)", remove,
              .denied)
        return m.cases
    }

    @Test("email_folders")
    func emailFolders() async throws {
        try await Self.runWithMailFixtures("tm_email_folders", Self.emailFolderCases)
    }
}
