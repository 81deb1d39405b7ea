import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for the monitoring views: the caller's reach, read-only.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
    static var viewCases: [MatrixCase] {
        var m = MatrixCases("views")
        let acme = Demo.acme, globex = Demo.globex
        let health: SQL = "select id from public.calendar_account_health where organization_id = \(acme)"
        m.add(.view, .alice, "calendar_account_health: owner sees the organization's accounts", health, .rows(2))
        m.add(.view, .bob, "calendar_account_health: member sees own account", health, .rows(1))
        m.add(.view, .workerAlice, "calendar_account_health: worker sees own account", health, .rows(1))
        m.add(.view, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme,
              "calendar_account_health of Acme", health, .noRows)
        m.add(.view, .aliceForgingGlobex, "calendar_account_health of Globex",
              "select id from public.calendar_account_health where organization_id = \(globex)", .noRows)

        let errors: SQL = "select id from public.recent_sync_errors where organization_id = \(acme)"
        m.add(.view, .alice, "recent_sync_errors: owner sees the organization's failures", errors, .rows(2))
        m.add(.view, .bob, "recent_sync_errors: member sees own failures", errors, .rows(2))
        m.add(.view, .workerAlice, "recent_sync_errors: owner's worker sees bob's failures",
              "select id from public.recent_sync_errors where calendar_account_id = \(Demo.bobCalendar)", .noRows)
        m.add(.view, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "recent_sync_errors of Acme",
              errors, .noRows)
        m.add(.view, .aliceForgingGlobex, "recent_sync_errors of Globex",
              "select id from public.recent_sync_errors where organization_id = \(globex)", .noRows)

        let volume: SQL = "select sum(runs)::int from public.organization_sync_volume where organization_id = \(acme)"
        m.add(.view, .alice, "organization_sync_volume: owner counts all runs", volume, .value("4"))
        m.add(.view, .bob, "organization_sync_volume: member counts own runs", volume, .value("2"))
        m.add(.view, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme,
              "organization_sync_volume of Acme", volume, .value(nil))
        m.add(.view, .aliceForgingGlobex, "organization_sync_volume of Globex",
              "select sum(runs)::int from public.organization_sync_volume where organization_id = \(globex)", .value(nil))

        // Not automatically updatable (join / group by): 55000 before any privilege check.
        m.add(.view, [.alice, .workerAlice], "write through calendar_account_health",
              "delete from public.calendar_account_health where organization_id = \(acme)", .failsWith("55000"))
        m.add(.view, [.alice, .workerAlice], "write through recent_sync_errors",
              "delete from public.recent_sync_errors", .failsWith("55000"))
        m.add(.view, [.alice, .hank], "write through organization_sync_volume",
              "update public.organization_sync_volume set runs = 0", .failsWith("55000"))
        return m.cases
    }

    /// The mail monitoring views over the mail fixtures (one sync run per mailbox).
    static var mailViewCases: [MatrixCase] {
        var m = MatrixCases("views")
        let acme = Demo.acme
        let volume: SQL = "select sum(runs)::int from public.organization_mail_volume where organization_id = \(acme)"
        m.add(.view, .alice, "organization_mail_volume: owner counts her own mailbox's runs", volume, .value("1"))
        m.add(.view, .bob, "organization_mail_volume: member counts own runs", volume, .value("1"))
        m.add(.view, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme,
              "organization_mail_volume of Acme", volume, .value(nil))
        let failed: SQL = "select sum(failed_runs)::int from public.organization_mail_volume where organization_id = \(acme)"
        m.add(.view, .bob, "organization_mail_volume: member's failed run", failed, .value("1"))
        m.add(.view, [.alice, .hank], "write through organization_mail_volume",
              "update public.organization_mail_volume set runs = 0", .failsWith("55000"))
        let errors: SQL = "select id from public.recent_email_sync_errors where organization_id = \(acme)"
        m.add(.view, .alice, "recent_email_sync_errors: owner sees her own mailbox's failures", errors, .rows(1))
        m.add(.view, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "recent_email_sync_errors of Acme",
              errors, .noRows)
        return m.cases
    }

    @Test("mail monitoring views respect the caller's reach and are read-only")
    func mailViews() async throws {
        try await Self.runWithMailFixtures("tm_mail_views", Self.mailViewCases)
    }

    @Test("monitoring views respect the caller's reach and are read-only")
    func views() async throws {
        try await TestDatabase.with("tm_views") { database in
            _ = try await Self.run(Self.viewCases, on: database)
        }
    }
}
