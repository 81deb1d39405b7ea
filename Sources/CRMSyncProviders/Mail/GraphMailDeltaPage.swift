import Foundation

/// Where a folder's delta listing goes on from.
public enum MailDeltaPosition: Sendable, Hashable {
    /// A new round over the whole folder.
    case full
    /// The changes since a stored `@odata.deltaLink`.
    case changes(deltaLink: String)
    /// The next page of a round (`@odata.nextLink`).
    case continuation(nextLink: String)
}

/// One page of a folder's message delta.
public struct GraphMailDeltaPage: Sendable {
    /// Messages created, changed or moved into the folder.
    public var messages: [GraphMailMessage]
    /// Ids of messages deleted or moved out of the folder.
    public var removedIDs: [String]
    /// Set while the round has more pages.
    public var nextLink: String?
    /// Set on the last page: store it (after committing) for the next round.
    public var deltaLink: String?

    public init(messages: [GraphMailMessage], removedIDs: [String], nextLink: String?, deltaLink: String?) {
        self.messages = messages
        self.removedIDs = removedIDs
        self.nextLink = nextLink
        self.deltaLink = deltaLink
    }
}

/// The fields of a message the sync reads from delta; the content comes as MIME.
public struct GraphMailMessage: Sendable, Hashable {
    /// The immutable id.
    public var id: String
    /// RFC 5322 Message-ID with angle brackets, as Graph gives it; the key to deduplicate.
    public var internetMessageId: String?
    public var conversationId: String?
    public var parentFolderId: String?
    public var isRead: Bool?
    public var isDraft: Bool?
    public var receivedDateTime: Date?
    public var categories: [String]?

    public init(id: String, internetMessageId: String? = nil, conversationId: String? = nil, parentFolderId: String? = nil,
                isRead: Bool? = nil, isDraft: Bool? = nil, receivedDateTime: Date? = nil, categories: [String]? = nil) {
        self.id = id
        self.internetMessageId = internetMessageId
        self.conversationId = conversationId
        self.parentFolderId = parentFolderId
        self.isRead = isRead
        self.isDraft = isDraft
        self.receivedDateTime = receivedDateTime
        self.categories = categories
    }
}

/// The wire form of a delta page.
struct GraphMailDeltaWire: Decodable {
    struct Item: Decodable {
        struct Removed: Decodable { var reason: String? }
        var id: String
        var removed: Removed?
        var internetMessageId: String?
        var conversationId: String?
        var parentFolderId: String?
        var isRead: Bool?
        var isDraft: Bool?
        var receivedDateTime: String?
        var categories: [String]?

        enum CodingKeys: String, CodingKey {
            case id, internetMessageId, conversationId, parentFolderId, isRead, isDraft, receivedDateTime, categories
            case removed = "@removed"
        }
    }

    var value: [Item]?
    var nextLink: String?
    var deltaLink: String?

    enum CodingKeys: String, CodingKey {
        case value
        case nextLink = "@odata.nextLink"
        case deltaLink = "@odata.deltaLink"
    }

    func page() -> GraphMailDeltaPage {
        var messages: [GraphMailMessage] = []
        var removed: [String] = []
        for item in self.value ?? [] {
            if item.removed != nil {
                removed.append(item.id)
                continue
            }
            messages.append(GraphMailMessage(
                id: item.id, internetMessageId: item.internetMessageId, conversationId: item.conversationId,
                parentFolderId: item.parentFolderId, isRead: item.isRead, isDraft: item.isDraft,
                receivedDateTime: item.receivedDateTime.flatMap(RFC3339.parse), categories: item.categories))
        }
        return GraphMailDeltaPage(messages: messages, removedIDs: removed, nextLink: self.nextLink, deltaLink: self.deltaLink)
    }
}
