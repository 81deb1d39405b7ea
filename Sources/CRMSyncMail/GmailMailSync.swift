import CRMSyncDatabase
import CRMSyncMIME
import CRMSyncProviders
import Foundation
import Logging

/// One run of a Gmail account: a history round from the stored historyId, or a full listing.
///
/// The full listing takes the mailbox's historyId from `profile` first, lists the synced labels
/// and reads every listed message (`format=raw`, the one MIME parser), and stores the historyId
/// with the last page: history from there replays at worst what the listing saw (upserts make
/// that harmless). A 404 on the stored historyId means the same full listing, never an account
/// error, and it duplicates nothing (messages are keyed by Gmail's id). A message listed as
/// added and gone by the time it is read is skipped.
struct GmailMailSync: Sendable {
    var client: GmailMailClient
    var store: EmailStore
    var account: UUID
    var owner: Identity
    var email: String
    /// Label ids synced (INBOX and SENT by default).
    var labels: [String]
    var parser: MIMEParser
    var options: MailSyncOptions
    var logger: Logger

    /// Messages read at once.
    static let fetchConcurrency = 8

    func run(into report: inout MailSyncReport) async throws {
        let cursors = try await report.timing.measure(\.sql) { try await self.store.syncCursors(account: self.account, as: self.owner) }
        if let historyID = cursors.account, !self.options.full {
            do {
                try await self.history(from: historyID, into: &report)
                return
            } catch ProviderError.cursorExpired {
                self.logger.info("Gmail history id expired; listing the mailbox again")
            }
        }
        try await self.fullListing(into: &report)
    }

    /// Every message of the synced labels, then the historyId taken before the listing.
    private func fullListing(into report: inout MailSyncReport) async throws {
        let profile = try await report.timing.measure(\.imap) { try await self.client.profile() }
        var listed: [String] = []
        var seen: Set<String> = []
        for label in self.labels {
            var pageToken: String?
            repeat {
                let page = try await report.timing.measure(\.imap) {
                    try await self.client.listMessages(labelId: label, pageToken: pageToken)
                }
                let ids = page.messages.map(\.id).filter { seen.insert($0).inserted }
                listed += ids
                let messages = try await self.read(ids, into: &report)
                self.options.progress(.folder(name: label, new: ids.count))
                try await self.apply(EmailAPIPage(messages: messages, syncedLabels: self.labels), into: &report)
                pageToken = page.nextPageToken
            } while pageToken != nil
        }
        try await self.apply(EmailAPIPage(syncedLabels: self.labels, completeIDs: listed, cursor: profile.historyId), into: &report)
    }

    /// The changes since `historyID`, page by page; the new historyId goes with the last page.
    private func history(from historyID: String, into report: inout MailSyncReport) async throws {
        var pageToken: String?
        repeat {
            let page = try await report.timing.measure(\.imap) { try await self.client.history(since: historyID, pageToken: pageToken) }
            let folded = GmailChangeFold(page.changes, synced: Set(self.labels))
            let known = try await report.timing.measure(\.sql) {
                try await self.store.knownMessages(account: self.account, ids: folded.candidates, as: self.owner)
            }
            let fetched = try await self.read(folded.candidates.filter { !known.contains($0) }, into: &report)
            let fetchedIDs = Set(fetched.map(\.providerMessageID))
            let changes = folded.changes.filter { !fetchedIDs.contains($0.providerMessageID) }
            pageToken = page.nextPageToken
            try await self.apply(
                EmailAPIPage(messages: fetched, changes: changes, syncedLabels: self.labels, cursor: pageToken == nil ? page.historyId : nil),
                into: &report)
        } while pageToken != nil
    }

    /// Reads and parses `ids` (several at once); a message gone meanwhile, or a draft, is skipped.
    private func read(_ ids: [String], into report: inout MailSyncReport) async throws -> [EmailImportMessage] {
        guard !ids.isEmpty else { return [] }
        let client = self.client
        let fetched = try await report.timing.measure(\.imap) {
            try await withThrowingTaskGroup(of: (Int, GmailRawMessage?).self) { group in
                var results: [(Int, GmailRawMessage?)] = []
                var next = 0
                while next < min(ids.count, Self.fetchConcurrency) {
                    let index = next
                    next += 1
                    group.addTask { (index, try await client.rawMessage(id: ids[index])) }
                }
                while let result = try await group.next() {
                    results.append(result)
                    if next < ids.count {
                        let index = next
                        next += 1
                        group.addTask { (index, try await client.rawMessage(id: ids[index])) }
                    }
                }
                return results.sorted { $0.0 < $1.0 }.compactMap(\.1)
            }
        }
        return report.timing.measureSync(\.mime) {
            fetched.filter { !$0.labelIds.contains("DRAFT") }.map { message in
                let mail = ParsedMail(raw: Array(message.raw), parser: self.parser)
                return mail.importRow(
                    providerMessageID: message.id, threadID: message.threadId, receivedAt: message.internalDate ?? mail.date,
                    sizeBytes: Int64(message.sizeEstimate ?? message.raw.count), outbound: message.labelIds.contains("SENT"),
                    labels: message.labelIds, isRead: !message.labelIds.contains("UNREAD"))
            }
        }
    }

    private func apply(_ page: EmailAPIPage, into report: inout MailSyncReport) async throws {
        let result = try await report.timing.measure(\.sql) {
            try await self.store.importAPIChanges(page, account: self.account, as: self.owner)
        }
        report.imported += result.inserted
        report.updated += result.updated
        report.deleted += result.deleted
    }
}

/// One history page reduced to what the database needs: one change per message (label sets
/// folded in order, UNREAD read as the read state), and the messages to read in full (added,
/// or given a synced label while unknown here) unless deleted later in the page.
struct GmailChangeFold: Sendable {
    var changes: [EmailLabelChange] = []
    var candidates: [String] = []

    init(_ records: [GmailChange], synced: Set<String>) {
        var order: [String] = []
        var folded: [String: EmailLabelChange] = [:]
        var wanted: [String] = []
        func change(_ id: String, _ edit: (inout EmailLabelChange) -> Void) {
            if folded[id] == nil {
                order.append(id)
                folded[id] = EmailLabelChange(providerMessageID: id)
            }
            edit(&folded[id]!)
        }
        for record in records {
            switch record {
            case .added(let message):
                let labels = Set(message.labelIds ?? [])
                if !labels.contains("DRAFT"), message.labelIds == nil || !labels.isDisjoint(with: synced) { wanted.append(message.id) }
            case .deleted(let id):
                change(id) { $0.deleted = true }
            case .labelsAdded(let id, let labels):
                if !Set(labels).isDisjoint(with: synced) { wanted.append(id) }
                change(id) { c in
                    c.removeLabels.removeAll { labels.contains($0) }
                    c.addLabels = Array(Set(c.addLabels).union(labels)).sorted()
                    if labels.contains("UNREAD") { c.isRead = false }
                }
            case .labelsRemoved(let id, let labels):
                change(id) { c in
                    c.addLabels.removeAll { labels.contains($0) }
                    c.removeLabels = Array(Set(c.removeLabels).union(labels)).sorted()
                    if labels.contains("UNREAD") { c.isRead = true }
                }
            }
        }
        self.changes = order.compactMap { folded[$0] }
        var seen: Set<String> = []
        self.candidates = wanted.filter { folded[$0]?.deleted != true && seen.insert($0).inserted }
    }
}
