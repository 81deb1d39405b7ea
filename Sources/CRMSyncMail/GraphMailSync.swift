import CRMSyncDatabase
import CRMSyncMIME
import CRMSyncProviders
import Foundation
import Logging

/// One run of an Outlook account: per synced folder (Inbox and Sent Items by default), a
/// `messages/delta` round from the folder's stored deltaLink, or a full round when there is
/// none or Graph answers 410 (the relisting duplicates nothing: ids are immutable).
///
/// New messages are read as MIME (`/$value`, at most four requests at once per mailbox, as
/// Graph allows) through the one parser; a known message in the page is only relabelled (its
/// folder, categories and read state); `@removed` takes the folder's label away, so a message
/// moved to a folder not synced ends expunged, and one moved between synced folders keeps its
/// row. The deltaLink is stored with the round's last page.
struct GraphMailSync: Sendable {
    var client: GraphMailClient
    var store: EmailStore
    var account: UUID
    var owner: Identity
    /// Folders synced, by well-known name, with their rows.
    var folders: [EmailStore.FolderCursor]
    var parser: MIMEParser
    var options: MailSyncOptions
    var logger: Logger

    var syncedLabels: [String] { self.folders.map(\.name) }

    func run(into report: inout MailSyncReport) async throws {
        for folder in self.folders {
            do {
                try await self.sync(folder, into: &report)
            } catch let error as ProviderError where !Self.endsRun(error) {
                report.errors.append(MailSyncErrorDetail(folder: folder.name, message: error.description))
            }
        }
    }

    /// A failure that no other folder would escape: the grant or the provider itself.
    static func endsRun(_ error: ProviderError) -> Bool {
        switch error {
        case .unauthorized, .reconnectRequired, .clientRejected, .temporary, .transport: true
        default: false
        }
    }

    private func sync(_ folder: EmailStore.FolderCursor, into report: inout MailSyncReport) async throws {
        if let deltaLink = folder.cursor, !self.options.full {
            do {
                try await self.round(folder, from: .changes(deltaLink: deltaLink), into: &report)
                return
            } catch ProviderError.cursorExpired {
                self.logger.info("Graph delta link expired; listing the folder again", metadata: ["folder": "\(folder.name)"])
            }
        }
        try await self.round(folder, from: .full, into: &report)
    }

    private func round(_ folder: EmailStore.FolderCursor, from start: MailDeltaPosition, into report: inout MailSyncReport) async throws {
        let complete = start == .full
        var listed: [String] = []
        var position = start
        while true {
            let page = try await report.timing.measure(\.imap) { try await self.client.deltaPage(folder: folder.name, position) }
            let messages = page.messages.filter { $0.isDraft != true }
            listed += messages.map(\.id)
            let known = try await report.timing.measure(\.sql) {
                try await self.store.knownMessages(account: self.account, ids: messages.map(\.id), as: self.owner)
            }
            let fresh = try await self.read(messages.filter { !known.contains($0.id) }, folder: folder, into: &report)
            var changes = messages.filter { known.contains($0.id) }.map {
                EmailLabelChange(providerMessageID: $0.id, labels: Self.labels($0, folder: folder), isRead: $0.isRead)
            }
            let changed = Set(changes.map(\.providerMessageID))
            changes += Set(page.removedIDs).subtracting(changed).sorted().map {
                EmailLabelChange(providerMessageID: $0, removeLabels: [folder.name])
            }
            let last = page.nextLink == nil
            if last, page.deltaLink == nil { throw ProviderError.invalidResponse("delta page has neither nextLink nor deltaLink") }
            self.options.progress(.folder(name: folder.name, new: fresh.count))
            let result = try await report.timing.measure(\.sql) {
                try await self.store.importAPIChanges(
                    EmailAPIPage(
                        folder: folder.id, messages: fresh, changes: changes, syncedLabels: self.syncedLabels,
                        completeIDs: last && complete ? listed : nil, cursor: last ? page.deltaLink : nil),
                    account: self.account, as: self.owner)
            }
            report.imported += result.inserted
            report.updated += result.updated
            report.deleted += result.deleted
            guard let next = page.nextLink else { return }
            position = .continuation(nextLink: next)
        }
    }

    /// The folder's label and the message's categories.
    static func labels(_ message: GraphMailMessage, folder: EmailStore.FolderCursor) -> [String] {
        [folder.name] + (message.categories ?? [])
    }

    /// Reads the MIME of `messages`; one gone meanwhile is skipped, another failure ends the page.
    private func read(
        _ messages: [GraphMailMessage], folder: EmailStore.FolderCursor, into report: inout MailSyncReport
    ) async throws -> [EmailImportMessage] {
        guard !messages.isEmpty else { return [] }
        let bodies = await report.timing.measure(\.imap) { await self.client.mimes(messageIDs: messages.map(\.id)) }
        var rows: [EmailImportMessage] = []
        for message in messages {
            guard let result = bodies[message.id] else { continue }
            guard let raw = try result.get() else { continue }
            let row = report.timing.measureSync(\.mime) {
                let mail = ParsedMail(raw: Array(raw), parser: self.parser)
                return mail.importRow(
                    providerMessageID: message.id, threadID: message.conversationId,
                    receivedAt: message.receivedDateTime ?? mail.date, sizeBytes: Int64(raw.count), outbound: folder.role == "sent",
                    labels: Self.labels(message, folder: folder), isRead: message.isRead)
            }
            rows.append(row)
        }
        return rows
    }
}
