import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.appointments: each member's own, the owner's reach, the worker's soft delete.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
    static var appointmentCases: [MatrixCase] {
        var m = MatrixCases("appointments")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.appointments where organization_id = \(acme)"
        m.add(.select, .bob, "member reads the organization's appointments", readAcme, .rows(8))
        m.add(.select, .workerBob, "worker reads the organization's appointments", readAcme, .rows(8))
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme appointments",
              readAcme, .noRows)
        m.add(.select, [.aliceForgingGlobex, .workerAliceForgingGlobex], "read Globex appointments",
              "select id from public.appointments where organization_id = \(globex)", .noRows)

        func create(_ org: UUID, owner: UUID) -> SQL {
            """
            insert into public.appointments (id, organization_id, owner_id, title, start_time, end_time)
            values (\(Seed.new1), \(org), \(owner), 'Injected', now(), now() + interval '1 hour')
            """
        }
        m.add(.insert, .bob, "member creates an appointment", create(acme, owner: Demo.bob), .rows(1))
        m.add(.insert, .workerBob, "worker imports an appointment", create(acme, owner: Demo.bob), .rows(1))
        m.add(.insert, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "create in Acme",
              create(acme, owner: Demo.hank), .denied)
        m.add(.insert, .alice, "owner inserts with Globex's organization_id", create(globex, owner: Demo.alice), .denied)
        m.add(.insert, .workerBob, "worker inserts with Globex's organization_id", create(globex, owner: Demo.bob), .denied)

        let retitle: SQL = "update public.appointments set title = 'Pwned' where id = \(Seed.acmeAppointment1)"
        m.add(.update, .bob, "member edits an org appointment (alice's)", retitle, .rows(1))
        m.add(.update, .workerBob, "worker updates an org appointment", retitle, .rows(1))
        m.add(.update, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "edit an Acme appointment",
              retitle, .noRows)
        let move: SQL =
            "update public.appointments set organization_id = \(globex) where organization_id = \(acme) and id = \(Seed.acmeAppointment1)"
        m.add(.update, .bob, "member moves an appointment to Globex", move, .denied)
        m.add(.update, .alice, "owner moves an appointment to Globex", move, .denied)
        m.add(.update, .workerBob, "worker moves an appointment to Globex", move, .denied)
        m.add(.update, .gina, "Globex owner pulls an Acme appointment into Globex", move, .noRows)
        m.add(.update, .hank, "Globex member pushes a Globex appointment into Acme",
              "update public.appointments set organization_id = \(acme) where id = \(Seed.globexAppointment1)", .denied)

        let remove: SQL = "delete from public.appointments where id = \(Seed.acmeAppointment1)"
        // Deleting is a soft delete (deleted_at) for everyone: no DELETE grant at all.
        m.add(.delete, [.bob, .alice], "person hard-deletes an org appointment", remove, .denied)
        m.add(.delete, MatrixActor.outsidersOfAcme, "delete an Acme appointment", remove, .denied)
        m.add(.delete, .aliceForgingGlobex, "delete a Globex appointment",
              "delete from public.appointments where id = \(Seed.globexAppointment1)", .denied)
        m.add(.delete, [.workerBob, .workerHank], "worker hard-deletes (soft delete only)", remove, .denied)
        return m.cases
    }

    @Test("appointments")
    func appointments() async throws {
        try await TestDatabase.with("tm_appts") { database in
            _ = try await Self.run(Self.appointmentCases, on: database)
        }
    }
}
