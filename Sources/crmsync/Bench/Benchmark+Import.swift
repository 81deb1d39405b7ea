import CRMSyncDatabase
import CRMSyncProviders
import Foundation
import PostgresClient

/// Figures 1 and 2, and the details that explain them.
extension Benchmark {
    /// The real import path against COPY, against the naive three-round-trip way, against its
    /// own writes alone; then the same events changed (the update path).
    func measureImport(_ fixture: BenchmarkFixture, admin: PostgresConnection, into figures: inout Figures) async throws {
        let pool = PostgresPool(configuration: self.settings.app, maxConnections: 1)
        let tenant = TenantDatabase(pool: pool, secretKey: nil)
        // Pages as the engine lists them (ListingOptions' default page size).
        let pageSize = ListingOptions().pageSize
        let events = BenchmarkEvents(count: self.events, pageSize: pageSize)
        let realOwner = try await fixture.person(on: admin)
        let realAccount = try await fixture.account(named: "real", owner: realOwner, on: admin)

        self.say("importing \(self.events) events through import_calendar_events (RLS, worker role, \(events.pages.count) pages)…")
        let real = try await self.timed {
            try await self.importPages(events, expecting: "created", account: realAccount, owner: realOwner, tenant: tenant)
        }
        let mapped = try await admin.query(
            "select count(*) from public.calendar_event_mappings where calendar_account_id = \(realAccount)")
        guard try mapped.first?.decode(Int.self, at: 0) == self.events else { throw BenchmarkError("the import did not map every event") }

        self.say("copying the same rows into tables of the same shape (same keys, indexes and checks; no RLS, triggers, foreign keys or functions)…")
        let copy = try await self.copyReference(owner: realOwner, account: realAccount, shape: .sameShape, admin: admin)
        self.say("copying them into bare temporary tables (no keys, indexes or WAL either)…")
        let bare = try await self.copyReference(owner: realOwner, account: realAccount, shape: .bare, admin: admin)

        self.say("writing the same rows with two INSERT … SELECT per page into the real tables (the writes alone)…")
        let writesOwner = try await fixture.person(on: admin)
        let writesAccount = try await fixture.account(named: "writes", owner: writesOwner, on: admin)
        let writes = try await self.writesAlone(account: writesAccount, owner: writesOwner, pageSize: pageSize, tenant: tenant)

        self.say("importing them the naive way (per event: look up, insert appointment, insert mapping)…")
        let naiveOwner = try await fixture.person(on: admin)
        let naiveAccount = try await fixture.account(named: "naive", owner: naiveOwner, on: admin)
        // one transaction per 250 events, as before pages grew (not made slower by longer transactions)
        let naivePages = BenchmarkEvents(count: self.events, pageSize: 250).pages
        let naive = try await self.timed {
            for page in naivePages {
                let items = try page.decode([NaiveEvent].self)
                try await tenant.withSession(naiveOwner, role: .worker) { connection in
                    for event in items { try await event.insert(account: naiveAccount, owner: naiveOwner, on: connection) }
                }
            }
        }

        self.say("importing the same \(self.events) events changed in the calendar (every appointment updated)…")
        let changed = BenchmarkEvents(count: self.events, pageSize: pageSize, revision: 2)
        let update = try await self.timed {
            try await self.importPages(changed, expecting: "updated", account: realAccount, owner: realOwner, tenant: tenant)
        }
        await pool.close()

        figures.import_vs_copy_ratio = copy / real
        figures.naive_speedup = naive / real
        figures.detail["import_seconds"] = real
        figures.detail["copy_seconds"] = copy
        figures.detail["copy_bare_seconds"] = bare
        figures.detail["import_vs_copy_bare_ratio"] = bare / real
        figures.detail["writes_alone_seconds"] = writes
        figures.detail["writes_alone_vs_copy_ratio"] = copy / writes
        figures.detail["naive_seconds"] = naive
        figures.detail["update_seconds"] = update
        figures.detail["update_events_per_second"] = Double(self.events) / update
    }

    /// Imports every page in the owner's session (one transaction per page, as the engine
    /// does); each event must come out as `outcome`.
    private func importPages(
        _ events: BenchmarkEvents, expecting outcome: String, account: UUID, owner: Identity, tenant: TenantDatabase
    ) async throws {
        for page in events.pages {
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
    }

    /// The same appointments and mappings written set-based into the real tables in the
    /// owner's session (row-level security, foreign keys, triggers, indexes), without deciding
    /// anything: the floor under any import function on this schema.
    private func writesAlone(account: UUID, owner: Identity, pageSize: Int, tenant: TenantDatabase) async throws -> Double {
        let events = BenchmarkEvents(count: self.events, pageSize: pageSize, withAppointmentIDs: true)
        return try await self.timed {
            for page in events.pages {
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
    }

    /// The physical reference's tables.
    enum ReferenceShape {
        /// Ordinary (logged) tables with the real tables' columns, defaults, keys, indexes and
        /// checks; no RLS, triggers (foreign keys are triggers too) or functions: the issue's
        /// reference, and the ratio's.
        case sameShape
        /// Temporary tables with the columns and defaults only: no keys, indexes or WAL either
        /// (shown in the details).
        case bare
    }

    private func copyReference(owner identity: Identity, account: UUID, shape: ReferenceShape, admin: PostgresConnection) async throws -> Double {
        switch shape {
        case .sameShape:
            try await admin.execute(
                """
                create table public.bench_appointments (like public.appointments including all);
                create table public.bench_mappings (like public.calendar_event_mappings including all);
                """)
        case .bare:
            try await admin.execute(
                """
                create temporary table bench_appointments (like public.appointments including defaults);
                create temporary table bench_mappings (like public.calendar_event_mappings including defaults);
                """)
        }
        let base = Date(timeIntervalSince1970: 1_790_000_000)
        var appointments: [String] = []
        var mappings: [String] = []
        let org = identity.organizationID.uuidString.lowercased()
        let owner = identity.userID.uuidString.lowercased()
        for index in 0..<self.events {
            let id = UUID().uuidString.lowercased()
            let start = base.addingTimeInterval(Double(index) * 3_600)
            appointments.append(
                "\(id)\t\(org)\t\(owner)\tBench event \(index)\tRoom \(index % 40)\t\(start.postgresText ?? "")\t"
                    + "\(start.addingTimeInterval(1_800).postgresText ?? "")\tf\tUTC\n")
            mappings.append("\(UUID().uuidString.lowercased())\t\(org)\t\(id)\t\(account.uuidString.lowercased())\tbench\(index)\t\"e1\"\tsynced\timport\n")
        }
        let seconds = try await self.timed {
            try await admin.copyIn(
                "copy bench_appointments (id, organization_id, owner_id, title, location, start_time, end_time, all_day, time_zone) from stdin",
                lines: appointments)
            try await admin.copyIn(
                "copy bench_mappings (id, organization_id, appointment_id, calendar_account_id, external_event_id, etag, sync_status, sync_direction) from stdin",
                lines: mappings)
        }
        try await admin.execute("drop table bench_appointments; drop table bench_mappings")
        return seconds
    }
}
