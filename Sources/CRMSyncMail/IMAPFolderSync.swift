import CRMSyncDatabase
import CRMSyncMIME
import Foundation
import Logging
import MailTransport

/// One folder's incremental sync over an open IMAP session.
///
/// The folder's cursor is `(uidvalidity, last_uid, highestmodseq)`. A run with nothing new costs
/// one EXAMINE whatever the folder's size: new mail shows as UIDNEXT beyond `last_uid`, flag
/// changes as a higher HIGHESTMODSEQ, expunges (without QRESYNC) as an EXISTS count below the
/// number of messages we know there; only then does it list the folder's UIDs (one SEARCH).
/// Cursors move in the same SQL call that stores the batch they cover, so a crash re-fetches a
/// batch (matched, never duplicated) and never skips one.
struct IMAPFolderSync {
    var client: IMAPClient
    var store: EmailStore
    var account: MailAccount
    var folder: EmailFolderState
    var options: MailSyncOptions
    var parser: MIMEParser
    /// QRESYNC is enabled on the session and trusted for this provider.
    var qresync: Bool
    /// The server announces CONDSTORE (HIGHESTMODSEQ, CHANGEDSINCE).
    var condstore: Bool
    var logger: Logger

    func run(into report: inout MailSyncReport) async throws {
        var cursor = FolderCursor(
            uidValidity: self.folder.uidValidity, lastUID: self.folder.lastUID, highestModSeq: self.folder.highestModSeq)
        let resume: (uidValidity: UInt32, modSeq: UInt64)? =
            if self.qresync, !self.options.full, let validity = cursor.uidValidity, let modSeq = cursor.highestModSeq {
                (UInt32(truncatingIfNeeded: validity), UInt64(modSeq))
            } else { nil }
        let status = try await report.timing.measure(\.imap) {
            try await self.client.examine(self.folder.name, qresync: resume)
        }
        var fresh = cursor.uidValidity == nil || self.options.full
        if let stored = cursor.uidValidity, stored != Int64(status.uidValidity) {
            // The server's UIDs mean nothing any more: forget where messages sat, keep the rows;
            // the rescan below re-matches them by Message-ID.
            self.logger.notice(
                "UIDVALIDITY changed; rescanning", metadata: ["folder": "\(self.folder.name)", "was": "\(stored)", "now": "\(status.uidValidity)"])
            try await report.timing.measure(\.sql) {
                try await self.store.resetFolder(
                    account: self.account.id, folder: self.folder.folderID, uidValidity: Int64(status.uidValidity), as: self.account.owner)
            }
            cursor = FolderCursor(uidValidity: Int64(status.uidValidity), lastUID: 0, highestModSeq: nil)
            fresh = true
        }
        cursor.uidValidity = Int64(status.uidValidity)
        let resumed = resume != nil && !fresh

        // The UIDs we know are read only when the server says something changed. With QRESYNC
        // the server lists expunges itself (VANISHED); without it, a no-change sync compares
        // the number of messages we know there with EXISTS.
        let knownCount: Int? =
            resumed
            ? nil
            : try await report.timing.measure(\.sql) {
                try await self.store.folderMessageCount(folder: self.folder.folderID, as: self.account.owner)
            }
        var known: Set<Int64>?
        var expunged: Set<Int64> = []
        if resumed, !status.vanished.isEmpty {
            let all = try await self.knownUIDs(&report)
            known = all
            expunged = all.intersection(status.vanished.map(Int64.init))
        }
        let mightHaveNew = status.uidNext.map { Int64($0) > cursor.lastUID + 1 } ?? true
        var serverUIDs: [UInt32]?
        let countDiffers = knownCount.map { $0 - expunged.count != status.exists } ?? false
        if fresh || mightHaveNew || countDiffers {
            let all = try await report.timing.measure(\.imap) { try await self.client.searchAllUIDs() }
            serverUIDs = all
            let stored: Set<Int64>
            if let known { stored = known } else { stored = try await self.knownUIDs(&report) }
            known = stored
            expunged.formUnion(stored.subtracting(all.map(Int64.init)))
        }

        // New mail (all of it on a fresh or full scan), oldest first.
        let newUIDs: [UInt32] = (serverUIDs ?? []).filter { fresh || Int64($0) > cursor.lastUID }.sorted()
        self.options.progress(.folder(name: self.folder.name, new: newUIDs.count))

        // Flag changes of the messages we had.
        var flagChanges: [IMAPMessageFlags] = []
        if !fresh, cursor.lastUID > 0 {
            if resumed {
                flagChanges = status.changed
            } else if self.condstore, let since = cursor.highestModSeq {
                if let now = status.highestModSeq, UInt64(since) != now {
                    flagChanges = try await report.timing.measure(\.imap) {
                        try await self.client.fetchFlags(uids: 1...UInt32(clamping: cursor.lastUID), changedSince: UInt64(since))
                    }
                }
            } else {
                // No CONDSTORE: the only way to see read/unread changes is to read every flag.
                flagChanges = try await report.timing.measure(\.imap) {
                    try await self.client.fetchFlags(uids: 1...UInt32(clamping: cursor.lastUID), changedSince: nil)
                }
            }
            flagChanges.removeAll { change in
                expunged.contains(Int64(change.uid)) || known.map { !$0.contains(Int64(change.uid)) } == true
            }
        }

        try await self.importNew(newUIDs, cursor: &cursor, into: &report)

        // Flags, expunges and the modseq read before the fetches, in one call.
        let finalCursor = FolderCursor(
            uidValidity: cursor.uidValidity, lastUID: cursor.lastUID,
            highestModSeq: status.highestModSeq.map { Int64(clamping: $0) })
        let cursorMoved =
            finalCursor.highestModSeq != self.folder.highestModSeq || finalCursor.uidValidity != self.folder.uidValidity
            || finalCursor.lastUID != self.folder.lastUID
        if !flagChanges.isEmpty || !expunged.isEmpty || cursorMoved {
            let changes = flagChanges.map {
                EmailFlagChange(uid: Int64($0.uid), flags: $0.flags, modseq: $0.modSeq.map { Int64(clamping: $0) })
            }
            let counts = try await report.timing.measure(\.sql) {
                try await self.store.applyFolderChanges(
                    account: self.account.id, folder: self.folder.folderID, flags: changes, expunged: expunged.sorted(),
                    cursor: finalCursor.stored(fullScan: fresh), as: self.account.owner)
            }
            report.updated += counts.updated
            report.deleted += counts.deleted
        }
    }

    /// The UIDs the CRM holds in this folder.
    private func knownUIDs(_ report: inout MailSyncReport) async throws -> Set<Int64> {
        try await report.timing.measure(\.sql) {
            Set(try await self.store.folderUIDs(folder: self.folder.folderID, as: self.account.owner))
        }
    }

    /// Fetches `uids` in batches, parses them and stores each batch with the cursor it reaches.
    private func importNew(_ uids: [UInt32], cursor: inout FolderCursor, into report: inout MailSyncReport) async throws {
        var done = 0
        for start in stride(from: 0, to: uids.count, by: self.options.batchSize) {
            // A worker that lost its lease cancels the run: stop between batches (each is committed).
            try Task.checkCancellation()
            let batch = Array(uids[start..<min(start + self.options.batchSize, uids.count)])
            let fetched = try await report.timing.measure(\.imap) { try await self.client.fetchMessages(uids: batch) }
            if fetched.isEmpty {
                // Listed but not fetchable: expunged meanwhile, or a server fault. Said, not skipped quietly.
                report.errors.append(MailSyncErrorDetail(
                    folder: self.folder.name, uid: Int64(batch[0]),
                    message: "the server listed \(batch.count) new messages but returned none"))
            }
            let rows = report.timing.measureSync(\.mime) {
                fetched.map { self.importRow(for: $0) }
            }
            var batchCursor = cursor
            batchCursor.lastUID = max(cursor.lastUID, Int64(batch.last!))
            let counts = try await report.timing.measure(\.sql) {
                try await self.store.importMessages(
                    account: self.account.id, folder: self.folder.folderID, rows, cursor: batchCursor.stored(fullScan: false),
                    as: self.account.owner)
            }
            cursor = batchCursor
            report.imported += counts.inserted
            report.updated += counts.updated
            done += batch.count
            self.options.progress(.imported(folder: self.folder.name, done: done, total: uids.count))
        }
    }

    /// The row `import_email_messages` stores for one fetched message.
    func importRow(for message: IMAPFetchedMessage) -> EmailImportMessage {
        let mail = ParsedMail(raw: message.raw, parser: self.parser)
        let outbound =
            self.folder.role == .sent
            || mail.from.map { ParsedMail.address(in: $0).lowercased() == self.account.email.lowercased() } == true
        var row = mail.importRow(
            providerMessageID: mail.key, receivedAt: message.internalDate ?? mail.date,
            sizeBytes: message.size.map(Int64.init) ?? Int64(message.raw.count), outbound: outbound)
        row.uid = Int64(message.uid)
        row.flags = message.flags
        row.modseq = message.modSeq.map { Int64(clamping: $0) }
        return row
    }
}

/// A folder's position while a run moves it; stored with each batch.
struct FolderCursor: Sendable, Equatable {
    var uidValidity: Int64?
    var lastUID: Int64
    var highestModSeq: Int64?

    func stored(fullScan: Bool) -> EmailFolderCursor {
        EmailFolderCursor(uidValidity: self.uidValidity, lastUID: self.lastUID, highestModSeq: self.highestModSeq, fullScan: fullScan)
    }
}
