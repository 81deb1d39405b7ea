import CRMSyncTestSupport
import Foundation
import Logging
import PostgresClient
import Testing

/// The import's plans in a database that holds many other tenants: each event costs a few
/// index probes, not a scan of the account's mappings.
///
/// With many organizations and accounts the planner, multiplying the selectivities of
/// `organization_id = $1` and `calendar_account_id = $2`, expects well under one mapping per
/// account; the probe by (organization_id, calendar_account_id, external_event_id) and a scan
/// of (organization_id, calendar_account_id, appointment_id) on its first two columns then
/// cost the same, and the import's generic plan took the scan: every event read all of the
/// account's mappings. The mistake shows once organizations × accounts exceed the rows; here
/// 1,000 organizations of 10 accounts with 100 mappings each (a million appointments and a
/// million mappings, as the calendar scale fixture; an estimate of 0.1 mapping per account).
/// The account under test then holds 5,000 mappings, and the plans of a page of new events
/// and of a page of changed events are
/// read with auto_explain (ANALYZE, BUFFERS, JSON, nested statements): every scan of the
/// mappings or the appointments reads a few rows per loop. Nothing is timed.
@Suite("Import plans among many tenants")
struct ImportPlanScaleTests {
    static let organizations = 1_000
    static let pageSize = 1_000
    static let pagesBefore = 5

    @Test("each event of a page is a few index probes, with a million rows of other tenants")
    func probesPerEvent() async throws {
        try await TestDatabase.with("import_scale", seed: false) { database in
            // the plans arrive as server warnings; they are read here, not logged
            let admin = try await PostgresConnection.connect(
                database.admin, logger: Logger(label: "test.import-plans") { _ in SwiftLogNoOpLogHandler() })
            try await admin.execute(Self.otherTenants(Self.organizations))
            try await admin.execute(
                "vacuum analyze public.appointments, public.calendar_event_mappings, public.calendar_accounts, public.user_organizations, public.organizations")
            let tenant = try await Self.newAccount(on: admin)
            for page in 0..<Self.pagesBefore {
                let outcomes = try await Self.importPage(tenant, first: page * Self.pageSize, revision: 1, on: admin)
                #expect(outcomes == ["created": Self.pageSize])
            }
            _ = admin.takeWarnings()

            try await admin.execute(
                """
                load 'auto_explain';
                set auto_explain.log_min_duration = 0;
                set auto_explain.log_analyze = on;
                set auto_explain.log_buffers = on;
                set auto_explain.log_timing = off;
                set auto_explain.log_format = json;
                set auto_explain.log_nested_statements = on;
                set auto_explain.log_level = warning;
                """)
            let created = try await Self.importPage(tenant, first: Self.pagesBefore * Self.pageSize, revision: 1, on: admin)
            #expect(created == ["created": Self.pageSize])
            let updated = try await Self.importPage(tenant, first: 0, revision: 2, on: admin)
            #expect(updated == ["updated": Self.pageSize])
            try await admin.execute("set auto_explain.log_min_duration = -1")

            let scans = admin.takeWarnings().compactMap(PlanScan.scans(inWarning:)).flatMap { $0 }
                .filter { ["calendar_event_mappings", "appointments"].contains($0.relation) && $0.loops > 0 }
            // the classification's probe of each event's mapping, by its whole key
            let keyProbes = scans.filter {
                $0.relation == "calendar_event_mappings" && $0.loops >= Double(Self.pageSize)
                    && ["organization_id", "calendar_account_id", "external_event_id"].allSatisfy($0.indexCondition.contains)
            }
            #expect(keyProbes.count >= 2, "no probe of a page's mappings by (organization_id, calendar_account_id, external_event_id): \(scans)")
            for scan in scans {
                #expect(scan.rowsPerLoop <= 3, "\(scan) reads more than a few rows per loop")
            }
        }
    }

    /// Organizations of 10 members, each with a Google account of 100 mapped appointments, as
    /// the superuser (the shape of /work's calendar scale fixture).
    static func otherTenants(_ organizations: Int) -> String {
        """
        create temporary table scale_members as
        select o as org_n, u as user_n, extensions.gen_random_uuid() as user_id, extensions.gen_random_uuid() as account_id,
               null::uuid as org
          from generate_series(1, \(organizations)) o cross join generate_series(1, 10) u;
        create temporary table scale_orgs as
        select o as org_n, extensions.gen_random_uuid() as org from generate_series(1, \(organizations)) o;
        update scale_members m set org = s.org from scale_orgs s where s.org_n = m.org_n;
        insert into public.organizations (id, name) select org, 'scale ' || org_n from scale_orgs;
        insert into public.user_organizations (organization_id, user_id, role)
        select org, user_id, case when user_n = 1 then 'admin' else 'member' end from scale_members;
        insert into public.calendar_accounts (organization_id, id, user_id, provider, email, connection_status)
        select org, account_id, user_id, 'google', 'u' || user_n || '@org' || org_n || '.example', 'connected' from scale_members;
        insert into public.appointments (organization_id, id, owner_id, title, start_time, end_time)
        select m.org, extensions.gen_random_uuid(), m.user_id, 'Meeting ' || i,
               timestamptz '2026-01-01' + (i * 7 + m.user_n) * interval '3 hours',
               timestamptz '2026-01-01' + (i * 7 + m.user_n) * interval '3 hours' + interval '1 hour'
          from scale_members m cross join generate_series(1, 100) i;
        insert into public.calendar_event_mappings (organization_id, appointment_id, calendar_account_id, external_event_id,
                                                    etag, sync_status, sync_direction, last_synced, synced_crm_version)
        select a.organization_id, a.id, m.account_id, 'ev-' || a.id, '"1"', 'synced', 'import', now(), 1
          from public.appointments a join scale_members m on m.org = a.organization_id and m.user_id = a.owner_id;
        drop table scale_members, scale_orgs;
        """
    }

    struct Tenant {
        var organization: UUID
        var user: UUID
        var account: UUID
    }

    /// A new organization with one member and a Google account without mappings.
    static func newAccount(on admin: PostgresConnection) async throws -> Tenant {
        let tenant = Tenant(organization: UUID(), user: UUID(), account: UUID())
        try await admin.query("insert into public.organizations (id, name) values (\(tenant.organization), 'import plans')")
        try await admin.query(
            "insert into public.user_organizations (organization_id, user_id, role) values (\(tenant.organization), \(tenant.user), 'member')")
        try await admin.query(
            """
            insert into public.calendar_accounts (organization_id, id, user_id, provider, email)
            values (\(tenant.organization), \(tenant.account), \(tenant.user), 'google', 'plans@import.example')
            """)
        return tenant
    }

    /// One page of events `first`…, version `revision`, imported in one transaction as the
    /// worker in the owner's session (as the engine does); the count of each outcome.
    static func importPage(_ tenant: Tenant, first: Int, revision: Int, on admin: PostgresConnection) async throws -> [String: Int] {
        try await admin.execute("begin")
        do {
            try await admin.query(
                """
                select set_config('role', 'crmsync_worker', true),
                       set_config('request.jwt.claims', \(#"{"sub":"\#(tenant.user.uuidString.lowercased())","role":"authenticated"}"#), true),
                       set_config('app.org_id', \(tenant.organization.uuidString.lowercased()), true)
                """)
            let rows = try await admin.query(
                """
                select outcome, count(*)::int
                  from public.import_calendar_events(\(tenant.account), (
                         select jsonb_agg(jsonb_build_object(
                                  'id', 'event' || i, 'etag', \("\"\(revision)\"")::text, 'status', 'confirmed',
                                  'title', 'Event ' || i || \(" v\(revision)")::text, 'description', null, 'location', null,
                                  'all_day', false, 'time_zone', 'UTC',
                                  'start', timestamptz '2026-05-04 08:00Z' + i * interval '1 hour',
                                  'end', timestamptz '2026-05-04 08:30Z' + i * interval '1 hour',
                                  'updated', timestamptz '2026-05-01 00:00Z' + \(revision)::int * interval '1 day') order by i)
                           from generate_series(\(first)::int, \(first + Self.pageSize - 1)::int) i))
                 group by outcome
                """)
            try await admin.execute("commit")
            var outcomes: [String: Int] = [:]
            for row in rows.rows { outcomes[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1) }
            return outcomes
        } catch {
            _ = try? await admin.execute("rollback")
            throw error
        }
    }
}

/// A scan node of a plan auto_explain sent as a warning (JSON format).
struct PlanScan: CustomStringConvertible {
    var relation: String
    var node: String
    var index: String?
    var indexCondition: String
    var loops: Double
    var rowsPerLoop: Double

    var description: String {
        "\(self.node) on \(self.relation)\(self.index.map { " using \($0)" } ?? "") [\(self.indexCondition)] "
            + "loops=\(Int(self.loops)) rows read per loop=\(self.rowsPerLoop)"
    }

    /// The scans of one warning's plan; nil for a warning that holds no plan.
    static func scans(inWarning message: String) -> [PlanScan]? {
        guard message.hasPrefix("duration:"), let brace = message.firstIndex(of: "{"),
              let object = try? JSONSerialization.jsonObject(with: Data(message[brace...].utf8)) as? [String: Any],
              let plan = object["Plan"] as? [String: Any]
        else { return nil }
        var scans: [PlanScan] = []
        func walk(_ node: [String: Any]) {
            if let relation = node["Relation Name"] as? String {
                // Actual Rows and Rows Removed by Filter are averages per loop
                func number(_ key: String) -> Double { (node[key] as? NSNumber)?.doubleValue ?? 0 }
                let rows = number("Actual Rows")
                let removed = number("Rows Removed by Filter")
                let rechecked = number("Rows Removed by Index Recheck")
                scans.append(
                    PlanScan(
                        relation: relation, node: node["Node Type"] as? String ?? "?", index: node["Index Name"] as? String,
                        indexCondition: node["Index Cond"] as? String ?? "", loops: number("Actual Loops"),
                        rowsPerLoop: rows + removed + rechecked))
            }
            for child in node["Plans"] as? [[String: Any]] ?? [] { walk(child) }
        }
        walk(plan)
        return scans
    }
}
