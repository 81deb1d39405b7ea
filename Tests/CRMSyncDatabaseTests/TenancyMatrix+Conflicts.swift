import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.calendar_conflicts and resolve_calendar_conflict.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
    /// Inserts (as the superuser) one open conflict on alice's mapping 1, one on bob's mapping 2
    /// (so the owner's admin reach is visible) and one on gina's mapping 1, each with the
    /// appointment's current version and a calendar version moved by an hour.
    static func insertConflicts(_ admin: PostgresConnection) async throws {
        try await admin.query(
            """
            insert into public.calendar_conflicts (id, organization_id, calendar_account_id, mapping_id, appointment_id,
                                                   crm_version, crm_snapshot, remote_snapshot, remote_etag)
            select v.id, m.organization_id, m.calendar_account_id, m.id, m.appointment_id, a.crm_version,
                   private.calendar_crm_snapshot(a),
                   jsonb_build_object('id', m.external_event_id, 'status', 'confirmed', 'title', 'Moved in the calendar',
                                      'start', a.start_time + interval '1 hour', 'end', a.end_time + interval '1 hour'),
                   '"etag-conflict"'
              from (values (\(Seed.aliceConflict)::uuid, \(Seed.aliceMapping)::uuid),
                           (\(Seed.bobConflict)::uuid, \(Seed.bobMapping)::uuid),
                           (\(Seed.globexConflict)::uuid, \(Seed.globexMapping)::uuid)) as v (id, mapping_id)
              join public.calendar_event_mappings m on m.id = v.mapping_id
              join public.appointments a on a.organization_id = m.organization_id and a.id = m.appointment_id
            """)
        let count = try await admin.query("select count(*) from public.calendar_conflicts").first?.decode(Int.self, at: 0)
        guard count == 3 else { throw TestSetupError("expected 3 calendar conflicts, found \(count ?? 0)") }
    }

    static var conflictCases: [MatrixCase] {
        var m = MatrixCases("calendar_conflicts")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.calendar_conflicts where organization_id = \(acme)"
        let readAlices: SQL = "select id from public.calendar_conflicts where calendar_account_id = \(Demo.aliceCalendar)"
        let readBobs: SQL = "select id from public.calendar_conflicts where calendar_account_id = \(Demo.bobCalendar)"
        let readGlobex: SQL = "select id from public.calendar_conflicts where organization_id = \(globex)"
        m.add(.select, .alice, "owner reads own account's conflicts", readAlices, .rows(1))
        m.add(.select, .alice, "owner reads bob's conflicts (admin reach)", readBobs, .rows(1))
        m.add(.select, .alice, "owner reads all the organization's conflicts", readAcme, .rows(2))
        m.add(.select, .bob, "member reads the org's conflicts: own only", readAcme, .rows(1))
        m.add(.select, .workerBob, "worker reads the org's conflicts: own only", readAcme, .rows(1))
        m.add(.select, .workerAlice, "owner's worker reads own conflicts only (no admin reach)", readAcme, .rows(1))
        m.add(.select, [.bob, .workerBob], "read alice's conflicts", readAlices, .noRows)
        m.add(.select, .workerAlice, "owner's worker reads bob's conflicts", readBobs, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme conflicts", readAcme,
              .noRows)
        m.add(.select, .gina, "other org's owner reads own organization's conflicts", readGlobex, .rows(1))
        m.add(.select, .hank, "other org's member reads gina's conflicts", readGlobex, .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex conflicts", readGlobex, .noRows)

        // The worker's column grant has no id: the default fills it.
        func record(_ org: UUID, _ account: UUID, _ mapping: UUID, _ appointment: UUID) -> SQL {
            """
            insert into public.calendar_conflicts (organization_id, calendar_account_id, mapping_id, appointment_id,
                                                   crm_version, crm_snapshot, remote_snapshot)
            values (\(org), \(account), \(mapping), \(appointment), 1, '{}', '{"title": "Injected"}')
            """
        }
        let onAlices = record(acme, Demo.aliceCalendar, Seed.aliceMapping3, Seed.acmeAppointment3)
        m.add(.insert, .workerAlice, "worker records a conflict on own account", onAlices, .rows(1))
        m.add(.insert, .workerBob, "worker records a conflict on alice's account", onAlices, .denied)
        m.add(.insert, MatrixActor.workerOutsidersOfAcme, "worker records a conflict on alice's account", onAlices,
              .denied)
        m.add(.insert, .workerHank, "Globex worker records on alice's account under Globex's id",
              record(globex, Demo.aliceCalendar, Seed.aliceMapping3, Seed.acmeAppointment3), .denied)
        // Refused by the policy's mapping check before the composite FK is reached.
        m.add(.insert, .workerAlice, "own account pointed at Globex's mapping",
              record(acme, Demo.aliceCalendar, Seed.globexMapping, Seed.acmeAppointment3), .denied)
        m.add(.insert, .workerAlice, "own account, Globex organization_id",
              record(globex, Demo.aliceCalendar, Seed.globexMapping, Seed.globexAppointment1), .denied)
        m.add(.insert, [.alice, .bob, .hank, .nobody, .hankForgingAcme], "a person records a conflict", onAlices, .denied)
        // The conflict's mapping must be the account's own, pointing at the conflict's appointment:
        // otherwise resolving it would rewrite another member's mapping.
        m.add(.insert, .workerBob, "own account, pointed at alice's mapping and appointment",
              record(acme, Demo.bobCalendar, Seed.aliceMapping3, Seed.acmeAppointment3), .denied)
        m.add(.insert, .workerAlice, "own account and mapping, another appointment",
              record(acme, Demo.aliceCalendar, Seed.aliceMapping3, Seed.acmeAppointment1), .denied)

        let refresh: SQL =
            "update public.calendar_conflicts set remote_etag = 'pwned' where id = \(Seed.aliceConflict)"
        m.add(.update, .workerAlice, "worker refreshes own conflict", refresh, .rows(1))
        m.add(.update, .workerBob, "worker refreshes alice's conflict", refresh, .noRows)
        m.add(.update, MatrixActor.workerOutsidersOfAcme, "worker refreshes alice's conflict", refresh, .noRows)
        m.add(.update, [.alice, .bob, .hank, .nobody, .hankForgingAcme],
              "a person resolves a conflict directly (only through resolve_calendar_conflict)",
              """
              update public.calendar_conflicts set resolution = 'keep_crm', resolved_at = now()
               where id = \(Seed.aliceConflict)
              """, .denied)
        m.add(.update, .workerAlice, "own conflict moved to Globex",
              "update public.calendar_conflicts set organization_id = \(globex) where id = \(Seed.aliceConflict)", .denied)
        m.add(.update, .workerAlice, "own conflict re-pointed at bob's account",
              "update public.calendar_conflicts set calendar_account_id = \(Demo.bobCalendar) where id = \(Seed.aliceConflict)",
              .denied)

        let remove: SQL = "delete from public.calendar_conflicts where id = \(Seed.aliceConflict)"
        m.add(.delete, [.alice, .bob, .hank, .nobody, .hankForgingAcme, .workerAlice, .workerBob, .workerHank],
              "delete a conflict", remove, .denied)

        // resolve_calendar_conflict: only the owner of the conflict's account, in its organization.
        func resolve(_ conflict: UUID) -> SQL {
            "select public.resolve_calendar_conflict(\(conflict), 'keep_crm')"
        }
        m.add(.function, .alice, "resolve_calendar_conflict on own account's conflict", resolve(Seed.aliceConflict),
              .rows(1))
        m.add(.function, .bob, "resolve_calendar_conflict on own account's conflict", resolve(Seed.bobConflict),
              .rows(1))
        m.add(.function, [.bob, .gina, .hank, .nobody, .hankForgingAcme, .aliceForgingGlobex],
              "resolve_calendar_conflict on alice's conflict", resolve(Seed.aliceConflict), .denied)
        m.add(.function, .alice, "resolve_calendar_conflict: owner on bob's conflict (admin reach does not resolve)",
              resolve(Seed.bobConflict), .denied)
        m.add(.function, [.alice, .hank], "resolve_calendar_conflict on Globex's conflict",
              resolve(Seed.globexConflict), .denied)
        m.add(.function, [.workerAlice, .workerBob], "resolve_calendar_conflict as the worker",
              resolve(Seed.aliceConflict), .denied)
        return m.cases
    }

    @Test("calendar_conflicts and resolve_calendar_conflict")
    func calendarConflicts() async throws {
        try await TestDatabase.with("tm_conflicts") { database in
            try await Self.insertConflicts(try await database.adminConnection())
            _ = try await Self.run(Self.conflictCases, on: database)
        }
    }
}
