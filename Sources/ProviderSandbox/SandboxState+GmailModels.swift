import CRMSyncSupport
import Foundation

/// One Gmail mailbox of the sandbox: its messages, its history (every change bumps
/// `historyId` and appends a record) and its watch. History before `oldestHistoryId` is
/// gone, as Google drops old history: a `startHistoryId` below it gets 404.
struct GmailMailbox: Sendable {
    var email: String
    var messages: [String: GmailMessage] = [:]
    /// Message ids in arrival order.
    var order: [String] = []
    var historyId: Int
    var oldestHistoryId: Int
    var history: [GmailHistoryRecord] = []
    var watch: GmailWatchState?

    init(email: String, historyId: Int) {
        self.email = email
        self.historyId = historyId
        self.oldestHistoryId = historyId
    }
}

/// A stored message: the RFC 822 bytes as Gmail keeps them plus what Gmail adds.
struct GmailMessage: Sendable {
    var id: String
    var threadId: String
    var labelIds: [String]
    var raw: Data
    var internalDate: Date
    var historyId: Int
    /// The Message-ID header without angle brackets.
    var rfc822MessageId: String?
    var snippet: String

    var ref: [String: JSONValue] { ["id": .string(self.id), "threadId": .string(self.threadId)] }

    var refWithLabels: [String: JSONValue] {
        ["id": .string(self.id), "threadId": .string(self.threadId), "labelIds": .array(self.labelIds.map(JSONValue.string))]
    }
}

/// One history record: the change and the message as it was right after it.
struct GmailHistoryRecord: Sendable {
    enum Kind: String, Sendable {
        case messageAdded, messageDeleted, labelAdded, labelRemoved
    }

    var id: Int
    var kind: Kind
    var message: GmailMessage
    /// The labels added or removed (label changes only).
    var labels: [String] = []
}

/// What `users.watch` asked for.
struct GmailWatchState: Sendable {
    var topicName: String
    var labelIds: [String]
    var exclude: Bool
    var expiration: Date
}

/// The rest of a paged Gmail listing (`messages.list` or `history.list`).
struct GmailPageCursor: Sendable {
    var email: String
    var items: [JSONValue]
    var offset: Int
    /// Array member name (`messages`, `history`) and the fields every page carries.
    var member: String
    var extra: [String: JSONValue]
}


/// Gmail's error replies (Google's shape).
enum GmailError {
    static func notFound() -> Reply {
        GoogleError.reply(404, reason: "notFound", message: "Requested entity was not found.")
    }

    static func invalidArgument(_ message: String) -> Reply {
        GoogleError.reply(400, reason: "invalidArgument", message: message)
    }
}
