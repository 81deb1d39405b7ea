/// Microsoft Graph's event resource, the fields crmsync reads and writes.
struct GraphEvent: Codable, Sendable, Hashable {
    var etag: String?
    var id: String?
    var removed: GraphRemoved?
    var subject: String?
    var body: GraphItemBody?
    var start: GraphDateTimeTimeZone?
    var end: GraphDateTimeTimeZone?
    var originalStartTimeZone: String?
    var originalEndTimeZone: String?
    var isAllDay: Bool?
    var isCancelled: Bool?
    var showAs: String?
    var location: GraphLocation?
    var lastModifiedDateTime: String?
    var type: String?
    var seriesMasterId: String?
    var originalStart: String?
    var iCalUId: String?
    var organizer: GraphRecipient?
    var attendees: [GraphAttendee]?
    var transactionId: String?

    enum CodingKeys: String, CodingKey {
        case etag = "@odata.etag"
        case removed = "@removed"
        case id, subject, body, start, end, originalStartTimeZone, originalEndTimeZone, isAllDay, isCancelled, showAs
        case location, lastModifiedDateTime, type, seriesMasterId, originalStart, iCalUId, organizer, attendees, transactionId
    }
}

/// `@removed` on a delta item.
struct GraphRemoved: Codable, Sendable, Hashable {
    var reason: String?
}

/// `body`: `contentType` is `text` or `html`.
struct GraphItemBody: Codable, Sendable, Hashable {
    var contentType: String?
    var content: String?
}

/// `dateTimeTimeZone`: a wall time (`2026-03-08T09:00:00.0000000`) in a named zone.
struct GraphDateTimeTimeZone: Codable, Sendable, Hashable {
    var dateTime: String
    var timeZone: String?
}

/// `location`.
struct GraphLocation: Codable, Sendable, Hashable {
    var displayName: String?
}

/// `recipient` (organizer).
struct GraphRecipient: Codable, Sendable, Hashable {
    var emailAddress: GraphEmailAddress?
}

/// `emailAddress`.
struct GraphEmailAddress: Codable, Sendable, Hashable {
    var name: String?
    var address: String?
}

/// `attendee`: `type` is `required`, `optional` or `resource`.
struct GraphAttendee: Codable, Sendable, Hashable {
    var type: String?
    var status: GraphResponseStatus?
    var emailAddress: GraphEmailAddress?
}

/// `responseStatus`: `none`, `organizer`, `tentativelyAccepted`, `accepted`, `declined`, `notResponded`.
struct GraphResponseStatus: Codable, Sendable, Hashable {
    var response: String?
}

/// One page of a delta listing.
struct GraphDeltaPage: Decodable, Sendable {
    var value: [GraphEvent]?
    var nextLink: String?
    var deltaLink: String?

    enum CodingKeys: String, CodingKey {
        case value
        case nextLink = "@odata.nextLink"
        case deltaLink = "@odata.deltaLink"
    }
}
