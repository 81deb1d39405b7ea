/// Google Calendar's Event resource, the fields crmsync reads and writes.
struct GoogleEvent: Codable, Sendable, Hashable {
    var id: String?
    var etag: String?
    var status: String?
    var summary: String?
    var description: String?
    var location: String?
    var start: GoogleEventDateTime?
    var end: GoogleEventDateTime?
    var recurringEventId: String?
    var originalStartTime: GoogleEventDateTime?
    var iCalUID: String?
    var organizer: GooglePerson?
    var attendees: [GoogleAttendee]?
    var updated: String?
    var extendedProperties: GoogleExtendedProperties?
}

/// `start`, `end` and `originalStartTime`: `date` for all-day, else `dateTime` + `timeZone`.
struct GoogleEventDateTime: Codable, Sendable, Hashable {
    var date: String?
    var dateTime: String?
    var timeZone: String?
}

/// An organizer.
struct GooglePerson: Codable, Sendable, Hashable {
    var email: String?
    var displayName: String?
    var `self`: Bool?
}

/// An attendee.
struct GoogleAttendee: Codable, Sendable, Hashable {
    var email: String?
    var displayName: String?
    var responseStatus: String?
    var optional: Bool?
    var organizer: Bool?
    var `self`: Bool?
}

/// `extendedProperties`: string maps private to this app or shared with attendees.
struct GoogleExtendedProperties: Codable, Sendable, Hashable {
    var `private`: [String: String]?
    var shared: [String: String]?
}

/// One page of `events.list`.
struct GoogleEventList: Decodable, Sendable {
    var items: [GoogleEvent]?
    var nextPageToken: String?
    var nextSyncToken: String?
    var timeZone: String?
}
