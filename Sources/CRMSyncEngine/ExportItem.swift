import CRMSyncProviders
import Foundation
import PostgresClient

/// One appointment `public.calendar_export_batch` hands out for export.
struct ExportItem: Sendable {
    /// What the calendar must be told.
    enum Action: String, Sendable {
        case create
        case update
        case delete
    }

    var appointmentID: UUID
    var action: Action
    var externalEventID: String?
    var etag: String?
    var crmVersion: Int64
    var title: String?
    var description: String?
    var location: String?
    var start: Date?
    var end: Date?
    var allDay: Bool
    var timeZone: String?

    /// The columns, in the order `init(row:)` reads them.
    static let columns =
        "appointment_id, action, external_event_id, etag, crm_version, title, description, location, start_time, end_time, all_day, time_zone"

    init(row: PostgresRow) throws {
        self.appointmentID = try row.decode(UUID.self, at: 0)
        let action = try row.decode(String.self, at: 1)
        guard let parsed = Action(rawValue: action) else {
            throw PostgresError(.decoding, message: "unknown export action \(action)")
        }
        self.action = parsed
        self.externalEventID = try row.decode(String?.self, at: 2)
        self.etag = try row.decode(String?.self, at: 3)
        self.crmVersion = try row.decode(Int64.self, at: 4)
        self.title = try row.decode(String?.self, at: 5)
        self.description = try row.decode(String?.self, at: 6)
        self.location = try row.decode(String?.self, at: 7)
        self.start = try row.decode(Date?.self, at: 8)
        self.end = try row.decode(Date?.self, at: 9)
        self.allDay = try row.decode(Bool?.self, at: 10) ?? false
        self.timeZone = try row.decode(String?.self, at: 11)
    }

    /// A client id for creating the appointment's event again after its first event was
    /// deleted: the appointment id with its version folded into the last eight bytes (and,
    /// after the first attempt, the attempt into the first four).
    func recreateID(attempt: Int = 0) -> UUID {
        var bytes = withUnsafeBytes(of: self.appointmentID.uuid) { Array($0) }
        let version = withUnsafeBytes(of: UInt64(bitPattern: self.crmVersion).bigEndian) { Array($0) }
        for index in 0..<8 { bytes[8 + index] ^= version[index] }
        let salt = withUnsafeBytes(of: UInt32(truncatingIfNeeded: attempt).bigEndian) { Array($0) }
        for index in 0..<4 { bytes[index] ^= salt[index] }
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// The appointment as a provider event: all-day appointments become whole UTC days
    /// (end exclusive, at least one day); the appointment id is the create's client id.
    func event() throws(ImportEvent.Invalid) -> CalendarEvent {
        guard let start = self.start, let end = self.end, end >= start else {
            throw ImportEvent.Invalid(description: "appointment \(self.appointmentID) has no valid start and end")
        }
        let timing: EventTiming
        if self.allDay {
            let first = LocalDate(daysSinceEpoch: Int((start.timeIntervalSince1970 / 86_400).rounded(.down)))
            var last = LocalDate(daysSinceEpoch: Int((end.timeIntervalSince1970 / 86_400).rounded(.up)))
            if last <= first { last = first.adding(days: 1) }
            timing = .allDay(startDate: first, endDate: last)
        } else {
            timing = .timed(start: start, end: end, timeZone: self.timeZone ?? "UTC")
        }
        return CalendarEvent(
            id: self.externalEventID, status: .confirmed, title: self.title, description: self.description,
            descriptionFormat: .text, location: self.location, timing: timing, clientId: self.appointmentID)
    }
}
