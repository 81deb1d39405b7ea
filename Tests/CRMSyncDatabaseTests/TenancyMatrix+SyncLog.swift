import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.calendar_sync_log: read by the account's people, written by its worker, never deleted.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
    static var syncLogCases: [MatrixCase] {
        var m = MatrixCases("calendar_sync_log")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.calendar_sync_log where organization_id = \(acme)"
        let readAlices: SQL = "select id from public.calendar_sync_log where calendar_account_id = \(Demo.aliceCalendar)"
        m.add(.select, .alice, "owner reads all the organization's runs", readAcme, .rows(4))
        m.add(.select, .bob, "member reads own runs only", readAcme, .rows(2))
        m.add(.select, .workerAlice, "owner's worker reads own runs only", readAcme, .rows(2))
        m.add(.select, [.bob, .workerBob], "read alice's runs", readAlices, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme runs", readAcme,
              .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex runs",
              "select id from public.calendar_sync_log where organization_id = \(globex)", .noRows)

        func log(_ org: UUID, _ account: UUID) -> SQL {
            """
            insert into public.calendar_sync_log (id, organization_id, calendar_account_id, status)
            values (\(Seed.new1), \(org), \(account), 'success')
            """
        }
        m.add(.insert, .workerBob, "worker logs a run of own account", log(acme, Demo.bobCalendar), .rows(1))
        m.add(.insert, .workerBob, "worker logs a run of alice's account", log(acme, Demo.aliceCalendar), .denied)
        m.add(.insert, MatrixActor.workerOutsidersOfAcme, "worker logs a run in Acme", log(acme, Demo.aliceCalendar),
              .denied)
        m.add(.insert, .workerBob, "worker logs own run under Globex's organization_id", log(globex, Demo.bobCalendar),
              .failsWith("42501"))
        m.add(.insert, [.alice, .bob], "a person forges a run", log(acme, Demo.bobCalendar), .denied)

        let fail: SQL = "update public.calendar_sync_log set status = 'failed' where id = \(Seed.aliceSyncLog)"
        m.add(.update, .workerAlice, "worker completes own run", fail, .rows(1))
        m.add(.update, .workerBob, "worker rewrites alice's run", fail, .noRows)
        m.add(.update, MatrixActor.workerOutsidersOfAcme, "worker rewrites alice's run", fail, .noRows)
        m.add(.update, [.alice, .bob], "a person rewrites history", fail, .denied)
        m.add(.update, .workerBob, "own run moved to Globex",
              "update public.calendar_sync_log set organization_id = \(globex) where id = \(Seed.bobSyncLog)", .denied)
        m.add(.update, .workerBob, "own run re-pointed at alice's account",
              "update public.calendar_sync_log set calendar_account_id = \(Demo.aliceCalendar) where id = \(Seed.bobSyncLog)",
              .denied)

        let remove: SQL = "delete from public.calendar_sync_log where id = \(Seed.aliceSyncLog)"
        m.add(.delete, [.alice, .bob, .hank, .nobody, .workerAlice, .workerBob], "delete history", remove, .denied)
        return m.cases
    }

    @Test("calendar_sync_log")
    func syncLog() async throws {
        try await TestDatabase.with("tm_synclog") { database in
            _ = try await Self.run(Self.syncLogCases, on: database)
        }
    }
}
