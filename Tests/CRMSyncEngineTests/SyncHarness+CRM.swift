import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient

/// The CRM side, changed the way the CRM's backend does: plain statements on `appointments`
/// in the owner's session (role `authenticated`).
extension SyncHarness {
    @discardableResult
    func createAppointment(_ shape: EventShape) async throws -> UUID {
        try await self.tenant.withSession(self.owner) { connection in
            try await connection.query(
                """
                insert into public.appointments (organization_id, owner_id, title, start_time, end_time, all_day, time_zone)
                values (\(self.owner.organizationID), \(self.owner.userID), \(shape.title), \(shape.start), \(shape.end),
                        \(shape.allDay), \(shape.timeZone))
                returning id
                """
            ).first!.decode(UUID.self, at: 0)
        }
    }

    func updateAppointment(_ id: UUID, to shape: EventShape) async throws {
        try await self.tenant.withSession(self.owner) { connection in
            try await connection.query(
                """
                update public.appointments set title = \(shape.title), start_time = \(shape.start), end_time = \(shape.end),
                       all_day = \(shape.allDay), time_zone = \(shape.timeZone)
                where id = \(id)
                """)
        }
    }

    func deleteAppointment(_ id: UUID) async throws {
        try await self.tenant.withSession(self.owner) { connection in
            try await connection.query("update public.appointments set deleted_at = now() where id = \(id)")
        }
    }

    /// The owner's live appointments by id.
    func appointments() async throws -> [UUID: EventShape] {
        let rows = try await self.tenant.withSession(self.owner) { connection in
            try await connection.query(
                """
                select id, title, start_time, end_time, all_day, time_zone from public.appointments
                where owner_id = \(self.owner.userID) and deleted_at is null
                """)
        }
        var result: [UUID: EventShape] = [:]
        for row in rows.rows {
            result[try row.decode(UUID.self, at: 0)] = EventShape(
                title: try row.decode(String.self, at: 1), start: try row.decode(Date.self, at: 2), end: try row.decode(Date.self, at: 3),
                allDay: try row.decode(Bool.self, at: 4), timeZone: try row.decode(String.self, at: 5))
        }
        return result
    }

    /// The account's mappings: appointment → external event id (all of them, whatever status).
    func mappings() async throws -> [(appointment: UUID, event: String, status: String)] {
        let rows = try await self.admin().query(
            """
            select appointment_id, external_event_id, sync_status from public.calendar_event_mappings
            where calendar_account_id = \(self.account)
            """)
        return try rows.rows.map { (try $0.decode(UUID.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(String.self, at: 2)) }
    }
}
