import CRMSyncDatabase
import Foundation
import PostgresClient

/// The physical reference: the same rows as the import's, in COPY text format, copied page by
/// page into tables of either shape.
struct CopyReference {
    enum Shape {
        /// Ordinary (logged) tables with the real tables' columns, defaults, keys, indexes and
        /// checks; no RLS, triggers (foreign keys are triggers too) or functions: the issue's
        /// reference, and the ratio's.
        case sameShape
        /// Temporary tables with the columns and defaults only: no keys, indexes or WAL either
        /// (shown in the details).
        case bare

        var tables: (appointments: String, mappings: String) {
            switch self {
            case .sameShape: ("\(Benchmark.schema).appointments", "\(Benchmark.schema).mappings")
            case .bare: ("pg_temp.bench_bare_appointments", "pg_temp.bench_bare_mappings")
            }
        }
    }

    /// Per page: the appointments' lines, the mappings' lines.
    let pages: [(appointments: [String], mappings: [String])]

    static func create(events: Int, pageSize: Int, owner identity: Identity, account: UUID, admin: PostgresConnection) async throws -> CopyReference {
        try await admin.execute(
            """
            create table \(Benchmark.schema).appointments (like public.appointments including all);
            create table \(Benchmark.schema).mappings (like public.calendar_event_mappings including all);
            create temporary table bench_bare_appointments (like public.appointments including defaults);
            create temporary table bench_bare_mappings (like public.calendar_event_mappings including defaults);
            """)
        let base = Date(timeIntervalSince1970: 1_790_000_000)
        let org = identity.organizationID.uuidString.lowercased()
        let owner = identity.userID.uuidString.lowercased()
        let accountID = account.uuidString.lowercased()
        var pages: [(appointments: [String], mappings: [String])] = []
        for first in stride(from: 0, to: events, by: pageSize) {
            var appointments: [String] = []
            var mappings: [String] = []
            for index in first..<min(first + pageSize, events) {
                let id = UUID().uuidString.lowercased()
                let start = base.addingTimeInterval(Double(index) * 3_600)
                appointments.append(
                    "\(id)\t\(org)\t\(owner)\tBench event \(index)\tRoom \(index % 40)\t\(start.postgresText ?? "")\t"
                        + "\(start.addingTimeInterval(1_800).postgresText ?? "")\tf\tUTC\n")
                mappings.append("\(UUID().uuidString.lowercased())\t\(org)\t\(id)\t\(accountID)\tbench\(index)\t\"e1\"\tsynced\timport\n")
            }
            pages.append((appointments, mappings))
        }
        return CopyReference(pages: pages)
    }

    /// Copies one page into the tables of `shape` (the same rows go into both shapes).
    func copy(page: Int, shape: Shape, on admin: PostgresConnection) async throws {
        let tables = shape.tables
        try await admin.copyIn(
            "copy \(tables.appointments) (id, organization_id, owner_id, title, location, start_time, end_time, all_day, time_zone) from stdin",
            lines: self.pages[page].appointments)
        try await admin.copyIn(
            "copy \(tables.mappings) (id, organization_id, appointment_id, calendar_account_id, external_event_id, etag, sync_status, sync_direction) from stdin",
            lines: self.pages[page].mappings)
    }

    func drop(on admin: PostgresConnection) async throws {
        try await admin.execute(
            "drop table \(Benchmark.schema).appointments, \(Benchmark.schema).mappings, pg_temp.bench_bare_appointments, pg_temp.bench_bare_mappings")
    }
}
