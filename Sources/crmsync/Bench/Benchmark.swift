import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import Logging
import PostgresClient

/// The figures `crmsync bench` measures, side by side, in one run on one database.
struct Benchmark {
    let settings: DatabaseSettings
    let key: SecretKey
    let events: Int
    let say: @Sendable (String) -> Void

    struct Figures: Codable {
        var import_vs_copy_ratio = 0.0
        var naive_speedup = 0.0
        var incremental_provider_requests = 0
        var incremental_db_roundtrips = 0
        var incremental_size_ratio = 0.0
        var e2e_events_per_second = 0.0
        var e2e_http_share = 0.0
        var detail: [String: Double] = [:]
    }

    func run() async throws -> Figures {
        let admin = try await PostgresConnection.connect(self.settings.admin)
        let fixture = try await BenchmarkFixture.create(on: admin)
        do {
            var figures = Figures()
            try await self.measureImport(fixture, admin: admin, into: &figures)
            try await self.measureSandbox(fixture, admin: admin, into: &figures)
            try await fixture.drop(on: admin)
            return figures
        } catch {
            try? await fixture.drop(on: admin)
            throw error
        }
    }

    /// Figures 1 and 2: the import path against COPY and against the naive three-round-trip way.
    private func measureImport(_ fixture: BenchmarkFixture, admin: PostgresConnection, into figures: inout Figures) async throws {
        let tenant = TenantDatabase(pool: PostgresPool(configuration: self.settings.app, maxConnections: 1), secretKey: nil)
        // Pages as the engine lists them (ListingOptions' default page size).
        let events = BenchmarkEvents(count: self.events, pageSize: ListingOptions().pageSize)
        let realOwner = try await fixture.person(on: admin)
        let naiveOwner = try await fixture.person(on: admin)
        let realAccount = try await fixture.account(named: "real", owner: realOwner, on: admin)
        let naiveAccount = try await fixture.account(named: "naive", owner: naiveOwner, on: admin)

        self.say("importing \(self.events) events through import_calendar_events (RLS, worker role, \(events.pages.count) pages)…")
        let real = try await self.timed {
            for page in events.pages {
                let rows = try await tenant.withSession(realOwner, role: .worker) { connection in
                    try await connection.query(
                        "select count(*) from public.import_calendar_events(\(realAccount), \(page)::jsonb) where outcome = 'created'")
                }
                guard try rows.first?.decode(Int.self, at: 0) ?? 0 > 0 else { throw BenchmarkError("a page imported nothing") }
            }
        }
        let mapped = try await admin.query(
            "select count(*) from public.calendar_event_mappings where calendar_account_id = \(realAccount)")
        guard try mapped.first?.decode(Int.self, at: 0) == self.events else { throw BenchmarkError("the import did not map every event") }

        self.say("copying the same rows into plain tables (no RLS, triggers or functions)…")
        let copy = try await self.copyReference(owner: realOwner, account: realAccount, shape: .bare, admin: admin)
        self.say("copying them into tables of the real shape (logged, same keys and indexes; no RLS, triggers, foreign keys)…")
        let sameShape = try await self.copyReference(owner: realOwner, account: realAccount, shape: .sameKeysAndIndexes, admin: admin)

        self.say("importing them the naive way (per event: look up, insert appointment, insert mapping)…")
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
        figures.import_vs_copy_ratio = copy / real
        figures.naive_speedup = naive / real
        figures.detail["import_seconds"] = real
        figures.detail["copy_seconds"] = copy
        figures.detail["copy_same_shape_seconds"] = sameShape
        figures.detail["import_vs_copy_same_shape_ratio"] = sameShape / real
        figures.detail["naive_seconds"] = naive
    }

    /// The physical reference's tables.
    enum ReferenceShape {
        /// Temporary tables with the columns and defaults only (the issue's reference: no RLS,
        /// triggers or functions; also no WAL, keys or indexes).
        case bare
        /// Ordinary (logged) tables with the real tables' keys, indexes and checks, still
        /// without RLS, triggers or foreign keys: what COPY itself costs on this shape (shown in
        /// the details, not the target's ratio).
        case sameKeysAndIndexes
    }

    private func copyReference(owner identity: Identity, account: UUID, shape: ReferenceShape, admin: PostgresConnection) async throws -> Double {
        switch shape {
        case .bare:
            try await admin.execute(
                """
                create temporary table bench_appointments (like public.appointments including defaults);
                create temporary table bench_mappings (like public.calendar_event_mappings including defaults);
                """)
        case .sameKeysAndIndexes:
            try await admin.execute(
                """
                create table public.bench_appointments (like public.appointments including all);
                create table public.bench_mappings (like public.calendar_event_mappings including all);
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

    /// Figures 3 and 4: full import over HTTP from the sandbox, then no-change incremental syncs.
    private func measureSandbox(_ fixture: BenchmarkFixture, admin: PostgresConnection, into figures: inout Figures) async throws {
        try await BenchmarkSandbox.run { sandbox in
            try await OAuthClientRegistry.set(
                provider: "google", clientID: "sandbox-client", clientSecret: "sandbox-secret",
                organization: fixture.organization, key: self.key, on: admin)
            let pool = PostgresPool(configuration: self.settings.app, maxConnections: 2)
            let tenant = TenantDatabase(pool: pool, secretKey: self.key)
            let store = CalendarAccountStore(database: tenant)
            let engine = CalendarSyncEngine(
                database: tenant, endpoints: sandbox.endpoints, listing: ListingOptions(),
                logger: Logger(label: "crmsync.bench") { _ in SwiftLogNoOpLogHandler() })
            var accounts: [Int: (id: UUID, owner: Identity)] = [:]
            for size in [self.events, 100] {
                let owner = try await fixture.person(on: admin)
                let email = "bench-\(size)-\(UUID().uuidString.prefix(6).lowercased())@bench.example"
                self.say("filling a sandbox calendar with \(size) events…")
                try await sandbox.fillGoogleCalendar(email: email, count: size)
                let tokens = try await sandbox.authorize(email: email)
                let id = try await store.connect(
                    owner, provider: "google", email: email,
                    tokens: .init(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt))
                accounts[size] = (id, owner)
            }
            guard let big = accounts[self.events], let small = accounts[100] else { throw BenchmarkError("accounts missing") }

            self.say("full import of \(self.events) events from the sandbox over HTTP…")
            let dbBefore = pool.statistics.duration
            var report: SyncReport?
            let total = try await self.timed { report = try await engine.sync(account: big.id, as: big.owner) }
            guard let report, report.counts.imported == self.events else {
                throw BenchmarkError("the full import brought \(report?.counts.imported ?? 0) of \(self.events) events: \(report?.failure ?? "")")
            }
            let database = (pool.statistics.duration - dbBefore) / .seconds(1)
            figures.e2e_events_per_second = Double(self.events) / total
            figures.e2e_http_share = max(0, total - database) / total
            figures.detail["e2e_seconds"] = total
            figures.detail["e2e_database_seconds"] = database
            _ = try await engine.sync(account: small.id, as: small.owner)

            self.say("no-change incremental syncs (\(self.events) and 100 events, median of 5 each)…")
            var times: [UUID: [Double]] = [:]
            typealias Account = (id: UUID, owner: Identity)
            for round in 0..<5 {
                for account: Account in [big, small] {
                    try await sandbox.control("DELETE", "requests")
                    let statements = pool.statistics.statements
                    var run: SyncReport?
                    let seconds = try await self.timed { run = try await engine.sync(account: account.id, as: account.owner) }
                    guard let run, run.counts.changedNothing else {
                        throw BenchmarkError("a no-change sync changed something: \(String(describing: run?.counts)) \(run?.failure ?? "")")
                    }
                    times[account.id, default: []].append(seconds)
                    if account.id == big.id && round == 0 {
                        figures.incremental_provider_requests = try await sandbox.providerRequests()
                        figures.incremental_db_roundtrips = pool.statistics.statements - statements
                    }
                }
            }
            let median = { (values: [Double]) in values.sorted()[values.count / 2] }
            figures.incremental_size_ratio = median(times[big.id] ?? [1]) / median(times[small.id] ?? [1])
            figures.detail["incremental_seconds_large"] = median(times[big.id] ?? [0])
            figures.detail["incremental_seconds_small"] = median(times[small.id] ?? [0])
            await pool.close()
        }
    }

    private func timed(_ body: () async throws -> Void) async throws -> Double {
        let clock = ContinuousClock()
        let elapsed = try await clock.measure { try await body() }
        return elapsed / .seconds(1)
    }
}

/// One event imported the naive way: three statements, three round trips.
private struct NaiveEvent: Decodable {
    var id: String
    var etag: String
    var title: String
    var location: String?
    var start: String
    var end: String

    func insert(account: UUID, owner: Identity, on connection: PostgresConnection) async throws {
        let existing = try await connection.query(
            "select appointment_id from public.calendar_event_mappings where calendar_account_id = \(account) and external_event_id = \(self.id)")
        guard existing.count == 0 else { return }
        let inserted = try await connection.query(
            """
            insert into public.appointments (organization_id, owner_id, title, location, start_time, end_time, time_zone)
            values (\(owner.organizationID), \(owner.userID), \(self.title), \(self.location), \(self.start)::timestamptz, \(self.end)::timestamptz, 'UTC')
            returning id
            """)
        guard let appointment = try inserted.first?.decode(UUID.self, at: 0) else { throw BenchmarkError("naive insert failed") }
        try await connection.query(
            """
            insert into public.calendar_event_mappings
              (organization_id, appointment_id, calendar_account_id, external_event_id, etag, sync_status, sync_direction, last_synced)
            values (\(owner.organizationID), \(appointment), \(account), \(self.id), \(self.etag), 'synced', 'import', now())
            """)
    }
}
