import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for the functions `crmsync serve` and the export scan added after the
// foundation: account settings (sql/270), the due-account count (sql/270) and the export
// snapshot helpers (sql/300). Each is tried by the owner, the other user of the same
// organization, both users of the other organization, nobody, forged organizations and the
// worker under each identity; the runner checks that a refused case changed nothing.

extension TenancyMatrixTests {
    static var serviceFunctionCases: [MatrixCase] {
        var m = MatrixCases("service functions")

        // update_calendar_account_settings: the caller's own account only.
        func settings(_ account: UUID) -> SQL {
            "select public.update_calendar_account_settings(\(account), false, 'crm_wins', 'other@example.com')"
        }
        m.add(.function, .alice, "update_calendar_account_settings on own account", settings(Demo.aliceCalendar), .rows(1))
        m.add(.function, [.bob, .gina, .hank, .nobody, .hankForgingAcme, .aliceForgingGlobex],
              "update_calendar_account_settings on alice's account", settings(Demo.aliceCalendar), .denied)
        m.add(.function, .alice, "update_calendar_account_settings: owner on bob's account", settings(Demo.bobCalendar), .denied)
        m.add(.function, [.workerAlice, .workerBob, .workerNobody],
              "update_calendar_account_settings as the worker", settings(Demo.aliceCalendar), .denied)
        m.add(.function, .alice, "update_calendar_account_settings with a bad strategy",
              "select public.update_calendar_account_settings(\(Demo.aliceCalendar), null, 'coin_flip', null)", .failsWith("22023"))

        // calendar_due_account_count: a number for the metrics, the worker role only.
        let due: SQL = "select public.calendar_due_account_count()"
        m.add(.function, [.workerAlice, .workerNobody], "calendar_due_account_count as the worker", due, .rows(1))
        m.add(.function, [.alice, .gina, .nobody], "calendar_due_account_count as a person", due, .denied)

        // Export snapshot helpers: the owner's worker on the owner's account only.
        let read: (UUID) -> SQL = { "select private.calendar_export_snapshot(\($0))" }
        let stage: (UUID) -> SQL = { "select private.calendar_export_snapshot_stage(\($0), pg_current_snapshot(), now())" }
        m.add(.function, .workerAlice, "calendar_export_snapshot_stage of own account", stage(Demo.aliceCalendar), .rows(1))
        m.add(.function, [.alice, .bob, .nobody], "calendar_export_snapshot helpers as a person", stage(Demo.aliceCalendar), .denied)
        m.add(.function, [.alice, .bob, .nobody], "calendar_export_snapshot as a person", read(Demo.aliceCalendar), .denied)
        // For another account the worker's helpers act on nothing: no snapshot is read (null)
        // and none is staged (the psql checks in Tests/sql read the column back as the owner).
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob],
              "calendar_export_snapshot_stage of alice's account", stage(Demo.aliceCalendar), .value(nil))
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob],
              "calendar_export_snapshot of alice's account", read(Demo.aliceCalendar), .value(nil))
        return m.cases
    }

    @Test("service functions: account settings, due count, export snapshots")
    func serviceFunctions() async throws {
        try await TestDatabase.with("tm_service_fn") { database in
            _ = try await Self.run(Self.serviceFunctionCases, on: database)
        }
    }
}
