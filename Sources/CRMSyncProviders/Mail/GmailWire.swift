import Foundation

/// The Gmail JSON the client reads and writes, as sent on the wire.

/// Gmail sends history ids as strings; Pub/Sub payloads send them as numbers. Either reads.
struct GmailNumberString: Decodable, Hashable {
    var value: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(UInt64.self) {
            self.value = String(number)
        } else {
            self.value = try container.decode(String.self)
        }
    }
}

struct GmailListResponse: Decodable {
    var messages: [GmailMessageRef]?
    var nextPageToken: String?
}

struct GmailMessageResource: Decodable {
    var id: String
    var threadId: String?
    var labelIds: [String]?
    var internalDate: MillisecondsSinceEpoch?
    var sizeEstimate: Int?
    var raw: String?
}

struct GmailHistoryResponse: Decodable {
    struct Record: Decodable {
        var messagesAdded: [Change]?
        var messagesDeleted: [Change]?
        var labelsAdded: [Change]?
        var labelsRemoved: [Change]?
    }

    struct Change: Decodable {
        var message: GmailMessageRef
        var labelIds: [String]?
    }

    var history: [Record]?
    var nextPageToken: String?
    var historyId: GmailNumberString?
}

struct GmailSendRequest: Encodable {
    var raw: String
    var threadId: String?
}

struct GmailWatchRequest: Encodable {
    var topicName: String
    var labelIds: [String]?
    var labelFilterBehavior: String?
}

struct GmailWatchResponse: Decodable {
    var historyId: GmailNumberString
    var expiration: MillisecondsSinceEpoch
}

