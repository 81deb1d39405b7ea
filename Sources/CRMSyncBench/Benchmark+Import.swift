import CRMSyncDatabase
import CRMSyncProviders
import Foundation
import PostgresClient

/// Figures 1 and 2, and the details that explain them.
extension Benchmark {
    /// The real import path against COPY, against the naive three-round-trip way, against its
    /// own writes alone; then the same events changed (the update path). The first four are
    /// measured page by page in turn (one page of each, then the next), so that a machine
    /// that slows down or speeds up during the run weighs on all of them alike.
    func measureImport(_ fixture: BenchmarkFixture, admin: PostgresConnection, into figures: inout Figures) async throws {
        let pool = PostgresPool(configuration: self.settings.app, maxConnections: 1)
        let tenant = TenantDatabase(pool: pool, secretKey: nil)
        // Pages as the engine lists them (ListingOptions' default page size).
        let pageSize = ListingOptions().pageSize
        let events = BenchmarkEvents(count: self.events, pageSize: pageSize)
        let stamped = BenchmarkEvents(count: self.events, pageSize: pageSize, withAppointmentIDs: true)
        let real = try await Self.newAccount("real", fixture, admin)
        let writes = try await Self.newAccount("writes", fixture, admin)
        let naive = try await Self.newAccount("naive", fixture, admin)
        let reference = try await CopyReference.create(events: self.events, pageSize: pageSize, owner: real.owner, account: real.id, admin: admin)

        self.say(
            """
            importing \(self.events) events in \(events.pages.count) pages, each page four ways in turn:
              through import_calendar_events (RLS, worker role, as the account owner);
              with two INSERT … SELECT into the real tables (the writes alone, deciding nothing);
              the naive way (per event: look up, insert appointment, insert mapping; 250 events a transaction);
              COPY into tables of the same shape (same keys, indexes and checks; no RLS, triggers, foreign keys or functions),
              and into bare temporary tables (no keys, indexes or WAL either)…
            """)
        var seconds = (real: 0.0, writes: 0.0, naive: 0.0, copy: 0.0, bare: 0.0)
        // each page's import time: the first and the last show whether a page costs more as
        // the account grows
        var pageSeconds: [Double] = []
        for (index, page) in events.pages.enumerated() {
            let pageTime = try await self.timed {
                try await self.importPage(page, expecting: "created", account: real.id, owner: real.owner, tenant: tenant)
            }
            pageSeconds.append(pageTime)
            seconds.real += pageTime
            if index % 10 == 9 {
                self.say("  page \(index + 1) of \(events.pages.count): import \(String(format: "%.3f", pageTime)) s")
            }
            seconds.writes += try await self.timed {
                try await self.writePage(stamped.pages[index], account: writes.id, owner: writes.owner, tenant: tenant)
            }
            let items = try page.decode([NaiveEvent].self)
            seconds.naive += try await self.timed {
                // one transaction per 250 events, as before pages grew (not made slower by longer transactions)
                for start in stride(from: 0, to: items.count, by: 250) {
                    try await tenant.withSession(naive.owner, role: .worker) { connection in
                        for event in items[start..<min(start + 250, items.count)] {
                            try await event.insert(account: naive.id, owner: naive.owner, on: connection)
                        }
                    }
                }
            }
            seconds.copy += try await self.timed { try await reference.copy(page: index, shape: .sameShape, on: admin) }
            seconds.bare += try await self.timed { try await reference.copy(page: index, shape: .bare, on: admin) }
        }
        try await reference.drop(on: admin)
        let mapped = try await admin.query(
            "select count(*) from public.calendar_event_mappings where calendar_account_id = \(real.id)")
        guard try mapped.first?.decode(Int.self, at: 0) == self.events else { throw BenchmarkError("the import did not map every event") }

        self.say("importing the same \(self.events) events changed in the calendar (every appointment updated)…")
        let changed = BenchmarkEvents(count: self.events, pageSize: pageSize, revision: 2)
        let update = try await self.timed {
            for page in changed.pages {
                try await self.importPage(page, expecting: "updated", account: real.id, owner: real.owner, tenant: tenant)
            }
        }
        await pool.close()

        figures.import_vs_copy_ratio = seconds.copy / seconds.real
        figures.import_vs_writes_ratio = seconds.writes / seconds.real
        figures.naive_speedup = seconds.naive / seconds.real
        figures.detail["import_first_page_seconds"] = pageSeconds.first ?? 0
        figures.detail["import_last_page_seconds"] = pageSeconds.last ?? 0
        figures.detail["import_max_page_seconds"] = pageSeconds.max() ?? 0
        figures.detail["import_seconds"] = seconds.real
        figures.detail["copy_seconds"] = seconds.copy
        figures.detail["copy_bare_seconds"] = seconds.bare
        figures.detail["import_vs_copy_bare_ratio"] = seconds.bare / seconds.real
        figures.detail["writes_alone_seconds"] = seconds.writes
        figures.detail["writes_alone_vs_copy_ratio"] = seconds.copy / seconds.writes
        figures.detail["naive_seconds"] = seconds.naive
        figures.detail["update_seconds"] = update
        figures.detail["update_events_per_second"] = Double(self.events) / update
    }

    private static func newAccount(
        _ name: String, _ fixture: BenchmarkFixture, _ admin: PostgresConnection
    ) async throws -> (id: UUID, owner: Identity) {
        let owner = try await fixture.person(on: admin)
        return (try await fixture.account(named: name, owner: owner, on: admin), owner)
    }

    /// Imports one page in the owner's session (one transaction, as the engine does); each
    /// event must come out as `outcome`.
    private func importPage(_ page: PostgresJSON, expecting outcome: String, account: UUID, owner: Identity, tenant: TenantDatabase) async throws {
        let rows = try await tenant.withSession(owner, role: .worker) { connection in
            try await connection.query(
                """
                select count(*) filter (where outcome = \(outcome)), count(*)
                  from public.import_calendar_events(\(account), \(page)::jsonb)
                """)
        }
        guard let row = rows.first, try row.decode(Int.self, at: 0) == row.decode(Int.self, at: 1) else {
            throw BenchmarkError("a page's events were not all \(outcome)")
        }
    }

    /// One page's appointments and mappings written set-based into the real tables in the
    /// owner's session (row-level security, foreign keys, triggers, indexes), without deciding
    /// anything: the floor under any import function on this schema.
    private func writePage(_ page: PostgresJSON, account: UUID, owner: Identity, tenant: TenantDatabase) async throws {
        try await tenant.withSession(owner, role: .worker) { connection in
            try await connection.query(
                """
                insert into public.appointments (id, organization_id, owner_id, title, location, start_time, end_time, all_day, time_zone)
                select x.appointment_id, \(owner.organizationID), \(owner.userID), x.title, x.location, x.start, x."end", x.all_day, x.time_zone
                  from jsonb_to_recordset(\(page)::jsonb) as x (appointment_id uuid, title text, location text, start timestamptz,
                                                                "end" timestamptz, all_day boolean, time_zone text)
                """)
            try await connection.query(
                """
                insert into public.calendar_event_mappings (organization_id, appointment_id, calendar_account_id, external_event_id,
                                                            etag, sync_status, sync_direction, last_synced, synced_crm_version)
                select \(owner.organizationID), x.appointment_id, \(account), x.id, x.etag, 'synced', 'import', now(), 1
                  from jsonb_to_recordset(\(page)::jsonb) as x (appointment_id uuid, id text, etag text)
                """)
        }
    }
}
