import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.email_message_locations: read by the mailbox's owner, written by its worker.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
    static var emailLocationCases: [MatrixCase] {
        var m = MatrixCases("email_message_locations")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select uid from public.email_message_locations where organization_id = \(acme)"
        let readAlices: SQL = "select uid from public.email_message_locations where folder_id = \(Seed.aliceFolder)"
        m.add(.select, .alice, "member reads own locations", readAlices, .rows(1))
        m.add(.select, .alice, "owner reads the org's locations: own only", readAcme, .rows(1))
        m.add(.select, [.bob, .workerBob], "reads the org's locations: own only", readAcme, .rows(1))
        m.add(.select, [.bob, .workerBob], "read alice's locations", readAlices, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme locations", readAcme,
              .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex locations",
              "select uid from public.email_message_locations where organization_id = \(globex)", .noRows)

        func locate(_ org: UUID, _ account: UUID, _ message: UUID, _ folder: UUID) -> SQL {
            """
            insert into public.email_message_locations (organization_id, email_account_id, email_message_id, folder_id, uid)
            values (\(org), \(account), \(message), \(folder), 77)
            """
        }
        m.add(.insert, .workerBob, "worker records a location in own mailbox",
              locate(acme, Seed.bobEmail, Seed.bobMessage, Seed.bobFolder), .rows(1))
        m.add(.insert, .workerBob, "worker records a location in alice's mailbox",
              locate(acme, Demo.aliceEmail, Seed.aliceMessage, Seed.aliceFolder), .denied)
        // The policy passes (own account); the composite foreign keys refuse another mailbox's folder/message.
        m.add(.insert, .workerBob, "own account, alice's folder and message",
              locate(acme, Seed.bobEmail, Seed.aliceMessage, Seed.aliceFolder), .failsWith("23503"))
        m.add(.insert, MatrixActor.workerOutsidersOfAcme, "worker records a location in Acme",
              locate(acme, Demo.aliceEmail, Seed.aliceMessage, Seed.aliceFolder), .denied)
        m.add(.insert, .workerHank, "Globex worker points own location at alice's message",
              locate(globex, Seed.hankEmail, Seed.aliceMessage, Seed.hankFolder), .failsWith("23503"))
        m.add(.insert, [.alice, .bob, .hank, .nobody, .hankForgingAcme], "a person records a location (no grant)",
              locate(acme, Seed.bobEmail, Seed.bobMessage, Seed.bobFolder), .denied)

        let flag: SQL = "update public.email_message_locations set flags = '{\\\\Seen}' where folder_id = \(Seed.bobFolder)"
        m.add(.update, .workerBob, "worker updates own flags", flag, .rows(1))
        m.add(.update, .workerAlice, "owner's worker updates bob's flags", flag, .noRows)
        m.add(.update, MatrixActor.workerOutsidersOfAcme, "worker updates bob's flags", flag, .noRows)
        m.add(.update, [.alice, .bob, .hank, .nobody, .hankForgingAcme], "a person updates flags (no grant)", flag,
              .denied)
        m.add(.update, .workerBob, "own location moved to Globex",
              "update public.email_message_locations set organization_id = \(globex) where folder_id = \(Seed.bobFolder)",
              .denied)
        m.add(.update, .workerBob, "own location re-pointed at alice's message",
              """
              update public.email_message_locations set email_account_id = \(Demo.aliceEmail),
                     email_message_id = \(Seed.aliceMessage), folder_id = \(Seed.aliceFolder), uid = 2
               where folder_id = \(Seed.bobFolder)
              """, .denied)

        let remove: SQL = "delete from public.email_message_locations where folder_id = \(Seed.bobFolder)"
        m.add(.delete, .workerBob, "worker drops own location", remove, .rows(1))
        m.add(.delete, .workerAlice, "owner's worker drops bob's location", remove, .noRows)
        m.add(.delete, MatrixActor.workerOutsidersOfAcme, "worker drops bob's location", remove, .noRows)
        m.add(.delete, [.alice, .bob, .hank, .nobody, .hankForgingAcme], "a person drops a location (no grant)", remove,
              .denied)
        return m.cases
    }

    @Test("email_message_locations")
    func emailLocations() async throws {
        try await Self.runWithMailFixtures("tm_email_locations", Self.emailLocationCases)
    }
}
