import Foundation

/// `users.getProfile`: the mailbox address and its current history id.
public struct GmailProfile: Sendable, Hashable, Decodable {
    public var emailAddress: String
    public var historyId: String

    public init(emailAddress: String, historyId: String) {
        self.emailAddress = emailAddress
        self.historyId = historyId
    }

    enum CodingKeys: String, CodingKey { case emailAddress, historyId }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.emailAddress = try container.decode(String.self, forKey: .emailAddress)
        self.historyId = try container.decode(GmailNumberString.self, forKey: .historyId).value
    }
}

/// A message as lists and history name it.
public struct GmailMessageRef: Sendable, Hashable, Codable {
    public var id: String
    public var threadId: String?
    public var labelIds: [String]?

    public init(id: String, threadId: String? = nil, labelIds: [String]? = nil) {
        self.id = id
        self.threadId = threadId
        self.labelIds = labelIds
    }
}

/// One page of `messages.list`.
public struct GmailMessageList: Sendable, Hashable {
    public var messages: [GmailMessageRef]
    public var nextPageToken: String?

    public init(messages: [GmailMessageRef], nextPageToken: String?) {
        self.messages = messages
        self.nextPageToken = nextPageToken
    }
}

/// A message in `raw` format, its RFC 822 bytes decoded.
public struct GmailRawMessage: Sendable {
    public var id: String
    public var threadId: String
    public var labelIds: [String]
    /// When Gmail received it (more reliable than the Date header).
    public var internalDate: Date?
    public var sizeEstimate: Int?
    /// The RFC 822 bytes.
    public var raw: Data

    public init(id: String, threadId: String, labelIds: [String], internalDate: Date?, sizeEstimate: Int?, raw: Data) {
        self.id = id
        self.threadId = threadId
        self.labelIds = labelIds
        self.internalDate = internalDate
        self.sizeEstimate = sizeEstimate
        self.raw = raw
    }
}

/// One page of `history.list`: the changes in history order; `historyId` is the next cursor
/// once the last page (no `nextPageToken`) is applied.
public struct GmailHistoryPage: Sendable {
    public var changes: [GmailChange]
    public var nextPageToken: String?
    public var historyId: String

    public init(changes: [GmailChange], nextPageToken: String?, historyId: String) {
        self.changes = changes
        self.nextPageToken = nextPageToken
        self.historyId = historyId
    }
}

/// One mailbox change. An added id may already be gone when fetched (skip it); drafts come
/// as added with label `DRAFT`.
public enum GmailChange: Sendable, Hashable {
    case added(GmailMessageRef)
    case deleted(id: String)
    case labelsAdded(id: String, labels: [String])
    case labelsRemoved(id: String, labels: [String])
}

/// An open `users.watch`.
public struct GmailWatch: Sendable, Hashable {
    public var historyId: String
    public var expiration: Date

    public init(historyId: String, expiration: Date) {
        self.historyId = historyId
        self.expiration = expiration
    }
}
