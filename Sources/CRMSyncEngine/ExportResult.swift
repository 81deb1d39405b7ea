import Foundation

/// What happened to one exported appointment, as `public.record_calendar_exports` reads it.
struct ExportResult: Sendable, Encodable {
    /// The outcome at the provider.
    enum Action: String, Sendable, Encodable {
        case created
        case updated
        case deleted
        case gone
        case conflict
        case error
    }

    var appointmentID: UUID
    var action: Action
    var externalEventID: String?
    var etag: String?
    var crmVersion: Int64
    var error: String?
    var remote: ImportEvent?

    enum CodingKeys: String, CodingKey {
        case appointmentID = "appointment_id"
        case action
        case externalEventID = "external_event_id"
        case etag
        case crmVersion = "crm_version"
        case error
        case remote
    }

    /// Adds this result to the run's counts.
    func count(into counts: inout SyncCounts) {
        switch self.action {
        case .created: counts.exported += 1
        case .updated: counts.exported += 1; counts.updated += 1
        case .deleted, .gone: counts.exported += 1; counts.deleted += 1
        case .conflict: counts.conflicts += 1
        case .error: counts.errors += 1
        }
    }
}
