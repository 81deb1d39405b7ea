import Foundation

/// A calendar event in the provider-neutral form crmsync syncs.
///
/// Converting from a provider's JSON and back keeps every field here. Tombstones (cancelled or
/// removed events from an incremental listing) may carry nothing but `id` and `status`.
public struct CalendarEvent: Sendable, Hashable, Codable {
    /// The provider's id of the event (Google event id, Graph event id).
    public var id: String?
    /// The provider's entity tag, sent back as `If-Match` on updates and deletes.
    public var etag: String?
    /// Whether the event is on, tentative, cancelled, or removed from the listing.
    public var status: EventStatus
    /// The title (Google `summary`, Graph `subject`).
    public var title: String?
    /// The description, kept exactly as the provider has it (possibly HTML, see
    /// `plainTextDescription`).
    public var description: String?
    /// Whether `description` is plain text or HTML.
    public var descriptionFormat: DescriptionFormat
    /// The location as free text.
    public var location: String?
    /// When the event happens; nil on tombstones.
    public var timing: EventTiming?
    /// For an instance of a recurring series: the id of the series (Google `recurringEventId`,
    /// Graph `seriesMasterId`).
    public var seriesId: String?
    /// For an instance of a recurring series: its start as the series' rule placed it.
    public var originalStart: OriginalStart?
    /// The iCalendar UID, shared by all instances of a series.
    public var iCalUID: String?
    /// The organizer.
    public var organizer: EventParticipant?
    /// The attendees, in the provider's order.
    public var attendees: [EventAttendee]
    /// Whether a write sets the attendees to `attendees`. The CRM does not manage attendees,
    /// so its events leave them alone: an update never clears the people invited in the
    /// calendar (Graph sends them cancellations) unless the caller deliberately sets this with
    /// an empty list. Creates send non-empty `attendees` either way.
    public var writesAttendees: Bool = false
    /// When the provider last changed the event.
    public var updated: Date?
    /// crmsync's own id of the appointment this event was created from, if crmsync created it.
    /// Creates derive the provider identity from it (Google `id`, Graph `transactionId`).
    public var clientId: UUID?

    /// Creates an event; everything but the status is optional.
    public init(
        id: String? = nil,
        etag: String? = nil,
        status: EventStatus = .confirmed,
        title: String? = nil,
        description: String? = nil,
        descriptionFormat: DescriptionFormat = .text,
        location: String? = nil,
        timing: EventTiming? = nil,
        seriesId: String? = nil,
        originalStart: OriginalStart? = nil,
        iCalUID: String? = nil,
        organizer: EventParticipant? = nil,
        attendees: [EventAttendee] = [],
        updated: Date? = nil,
        clientId: UUID? = nil
    ) {
        self.id = id
        self.etag = etag
        self.status = status
        self.title = title
        self.description = description
        self.descriptionFormat = descriptionFormat
        self.location = location
        self.timing = timing
        self.seriesId = seriesId
        self.originalStart = originalStart
        self.iCalUID = iCalUID
        self.organizer = organizer
        self.attendees = attendees
        self.updated = updated
        self.clientId = clientId
    }

    /// The description as plain text: HTML (a Google description, a Graph body that came back
    /// as HTML) converted to its text, plain text as is. The CRM holds plain text.
    public var plainTextDescription: String? {
        guard let description = self.description else { return nil }
        return self.descriptionFormat == .html ? HTMLText.plainText(description) : description
    }

    /// True for cancelled and removed events, which the importer deletes.
    public var isTombstone: Bool { self.status == .cancelled || self.status == .removed }
}

/// The state of an event.
public enum EventStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case confirmed
    case tentative
    case cancelled
    /// Gone from the listing (Graph `@removed`): deleted, or moved out of the window.
    case removed
}

/// How a description is written.
public enum DescriptionFormat: String, Sendable, Hashable, Codable {
    case text
    case html
}
