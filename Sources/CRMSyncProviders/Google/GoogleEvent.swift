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
///
/// For a patch, `replacing` writes the absent form as explicit `null`s: Google merges a PATCH
/// body into the stored event, so switching timed → all-day must clear `dateTime`/`timeZone`
/// and all-day → timed must clear `date`, or the old form stays.
struct GoogleEventDateTime: Codable, Sendable, Hashable {
    var date: String?
    var dateTime: String?
    var timeZone: String?
    /// Encode nil fields as `null` (patch bodies); never decoded.
    var replacing = false

    init(date: String? = nil, dateTime: String? = nil, timeZone: String? = nil) {
        self.date = date
        self.dateTime = dateTime
        self.timeZone = timeZone
    }

    enum CodingKeys: String, CodingKey {
        case date
        case dateTime
        case timeZone
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if self.replacing {
            try container.encode(self.date, forKey: .date)
            try container.encode(self.dateTime, forKey: .dateTime)
            try container.encode(self.timeZone, forKey: .timeZone)
        } else {
            try container.encodeIfPresent(self.date, forKey: .date)
            try container.encodeIfPresent(self.dateTime, forKey: .dateTime)
            try container.encodeIfPresent(self.timeZone, forKey: .timeZone)
        }
    }
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
