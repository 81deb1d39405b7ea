import Foundation

/// One failure inside a run, as stored in `calendar_sync_log.error_details`.
public struct SyncErrorDetail: Sendable, Hashable, Codable {
    /// `import`, `export` or `run`.
    public var phase: String
    /// The provider's event id, when an event failed.
    public var eventID: String?
    /// The appointment, when an export failed.
    public var appointmentID: UUID?
    /// What went wrong; never a token or a provider message body.
    public var message: String

    /// Creates a detail.
    public init(phase: String, eventID: String? = nil, appointmentID: UUID? = nil, message: String) {
        self.phase = phase
        self.eventID = eventID
        self.appointmentID = appointmentID
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case phase
        case eventID = "event_id"
        case appointmentID = "appointment_id"
        case message
    }
}
