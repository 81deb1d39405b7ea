import CRMSyncDatabase
import Foundation
import PostgresClient

/// One event imported the naive way: three statements, three round trips.
struct NaiveEvent: Decodable {
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
