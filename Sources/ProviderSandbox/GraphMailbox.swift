import CRMSyncSupport
import Foundation

/// One stored Outlook message. It has two ids, as in Exchange: the immutable id, which it keeps
/// for life, and the REST id, which a move to another folder replaces.
struct MailRecord: Sendable {
    var immutableId: String
    var restId: String
    /// The folder's id (see ``GraphMailbox/folders``).
    var folder: String
    /// The MIME as `$value` returns it.
    var raw: Data
    /// The message's Graph JSON without `id`, `parentFolderId` and `@odata.etag`.
    var json: [String: JSONValue]
    var changeKey: String
    var deleted = false

    /// The id a caller sees, by the IdType it asked for.
    func id(immutable: Bool) -> String { immutable ? self.immutableId : self.restId }

    /// What a delta snapshot compares: changes with every write and with a move.
    var version: String { self.changeKey + "|" + self.restId }
}

/// One user's Outlook mailbox: well-known folders, messages by immutable id, and a change log
/// so that a delta round costs what changed since its link, not what the folder holds.
struct GraphMailbox: Sendable {
    static let wellKnown = ["inbox", "sentitems", "drafts", "deleteditems", "archive"]

    /// Well-known name → folder id.
    var folders: [String: String] = [:]
    private(set) var messages: [String: MailRecord] = [:]
    private(set) var order: [String] = []
    /// Immutable ids in the order they were written, one entry per write.
    private(set) var changes: [String] = []
    /// Current REST id → immutable id.
    private(set) var restIds: [String: String] = [:]

    /// The only way to change a message.
    mutating func put(_ record: MailRecord) {
        if let old = self.messages[record.immutableId] {
            self.restIds[old.restId] = nil
        } else {
            self.order.append(record.immutableId)
        }
        self.messages[record.immutableId] = record
        if !record.deleted { self.restIds[record.restId] = record.immutableId }
        self.changes.append(record.immutableId)
    }

    /// A live message by either of its ids.
    func find(_ id: String) -> MailRecord? {
        let key = self.restIds[id] ?? id
        guard let record = self.messages[key], !record.deleted else { return nil }
        return record
    }

    /// Folder id for a well-known name (any case) or an id.
    func folderId(_ name: String) -> String? {
        if let id = self.folders[name.lowercased()] { return id }
        return self.folders.values.contains(name) ? name : nil
    }

    /// The well-known name of a folder id.
    func folderName(_ id: String) -> String {
        self.folders.first { $0.value == id }?.key ?? id
    }

    /// Immutable ids written since `sequence`, each once, in mailbox order.
    func touched(since sequence: Int) -> [String] {
        guard sequence < self.changes.count else { return [] }
        let ids = Set(self.changes[max(0, sequence)...])
        return self.order.filter { ids.contains($0) }
    }

    /// The live messages of a folder, in arrival order.
    func live(in folder: String) -> [MailRecord] {
        self.order.compactMap { self.messages[$0] }.filter { !$0.deleted && $0.folder == folder }
    }

    /// The conversation of a stored message whose Message-ID is among `ids`.
    func conversation(of ids: [String]) -> String? {
        let wanted = Set(ids.map { $0.lowercased() })
        guard !wanted.isEmpty else { return nil }
        for id in self.order.reversed() {
            guard let record = self.messages[id], let mid = record.json["internetMessageId"]?.string else { continue }
            if wanted.contains(mid.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).lowercased()) {
                return record.json["conversationId"]?.string
            }
        }
        return nil
    }
}

/// A stored delta position of one folder: what the caller has seen there.
struct MailDeltaCursor: Sendable {
    var email: String
    var folder: String
    var immutable: Bool
    /// Immutable id → (id shown, version) of each message the caller has seen in the folder.
    var snapshot: [String: MailSeen] = [:]
    /// `GraphMailbox.changes.count` when the snapshot was taken.
    var sequence = 0
    var options: MailDeltaOptions
}

struct MailSeen: Sendable {
    var shownId: String
    var version: String
}

/// First-call options that every later page and round of a delta keeps.
struct MailDeltaOptions: Sendable {
    var select: [String]?
    var top: Int?
    /// `created`, `updated` or `deleted`; nil for all.
    var changeType: String?
    var receivedSince: Date?
    /// The folder as the caller named it, for links.
    var folderSegment: String
}

/// A delta round in progress (`$skiptoken`).
struct MailDeltaPage: Sendable {
    var email: String
    var items: [JSONValue]
    var offset: Int
    var final: MailDeltaCursor
}

/// Per-mailbox request figures the control API reports (for assertions on clients).
struct MailboxTraffic: Sendable {
    var inFlight = 0
    var maxInFlight = 0
    var requests = 0
    var immutableIdRequests = 0
    var throttled = 0

    var json: JSONValue {
        ["inFlight": .int(self.inFlight), "maxInFlight": .int(self.maxInFlight), "requests": .int(self.requests),
         "immutableIdRequests": .int(self.immutableIdRequests), "throttled": .int(self.throttled)]
    }
}
