import CRMSyncDatabase
import CRMSyncProviders
import Foundation

/// One event in the shape `public.import_calendar_events` and `record_calendar_exports`
/// (`remote`) read. All-day events travel as dates at 00:00 UTC with `all_day` true; `end`
/// is exclusive.
struct ImportEvent: Sendable, Hashable, Encodable {
    var id: String
    var etag: String?
    var status: String
    var title: String?
    var description: String?
    var location: String?
    var allDay: Bool?
    var start: String?
    var end: String?
    var timeZone: String?
    var updated: String?
    var iCalUID: String?
    var seriesID: String?
    /// The appointment id crmsync wrote into the event when it created it; lets the import
    /// link an event whose create was never recorded instead of duplicating it.
    var clientID: String?

    enum CodingKeys: String, CodingKey {
        case id, etag, status, title, description, location
        case allDay = "all_day"
        case start, end
        case timeZone = "time_zone"
        case updated
        case iCalUID = "ical_uid"
        case seriesID = "series_id"
        case clientID = "client_id"
    }

    /// Why an event cannot be imported.
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// Converts a normalized event; tombstones carry only id, etag and status.
    init(_ event: CalendarEvent) throws(Invalid) {
        guard let id = event.id, !id.isEmpty else { throw Invalid(description: "event without an id") }
        self.id = id
        self.etag = event.etag
        self.status = event.status.rawValue
        self.updated = event.updated.map(SyncStore.timestamp)
        self.seriesID = event.seriesId
        self.iCalUID = event.iCalUID
        self.clientID = event.clientId?.uuidString.lowercased()
        guard !event.isTombstone else { return }
        self.title = event.title
        // The CRM holds plain text: an HTML description (Google) or body (Graph) arrives as
        // its text. Updates send a description only when that text changed (EventChanges).
        self.description = event.plainTextDescription
        self.location = event.location
        switch event.timing {
        case .timed(let start, let end, let timeZone):
            guard end >= start else { throw Invalid(description: "event \(id) ends before it starts") }
            self.allDay = false
            self.start = SyncStore.timestamp(start)
            self.end = SyncStore.timestamp(end)
            self.timeZone = timeZone.isEmpty ? "UTC" : timeZone
        case .allDay(let startDate, let endDate):
            guard endDate >= startDate else { throw Invalid(description: "all-day event \(id) ends before it starts") }
            self.allDay = true
            self.start = startDate.iso + "T00:00:00Z"
            self.end = (endDate > startDate ? endDate : startDate.adding(days: 1)).iso + "T00:00:00Z"
            self.timeZone = "UTC"
        case nil:
            throw Invalid(description: "event \(id) has no start or end")
        }
    }
}
