import CRMSyncDatabase
import CRMSyncProviders
import Foundation

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

    /// Why a batch item cannot be exported.
    struct UnknownAction: Error, CustomStringConvertible {
        var action: String
        var description: String { "unknown export action \(self.action)" }
    }

    init(_ candidate: SyncStore.ExportCandidate) throws(UnknownAction) {
        guard let action = Action(rawValue: candidate.action) else { throw UnknownAction(action: candidate.action) }
        self.appointmentID = candidate.appointmentID
        self.action = action
        self.externalEventID = candidate.externalEventID
        self.etag = candidate.etag
        self.crmVersion = candidate.crmVersion
        self.title = candidate.title
        self.description = candidate.description
        self.location = candidate.location
        self.start = candidate.start
        self.end = candidate.end
        self.allDay = candidate.allDay
        self.timeZone = candidate.timeZone
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
