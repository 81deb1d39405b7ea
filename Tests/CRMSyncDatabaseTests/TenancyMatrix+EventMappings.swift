import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.calendar_event_mappings: written by the worker for its own account only.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
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

    @Test("calendar_event_mappings")
    func eventMappings() async throws {
        try await TestDatabase.with("tm_mappings") { database in
            _ = try await Self.run(Self.mappingCases, on: database)
        }
    }
}
