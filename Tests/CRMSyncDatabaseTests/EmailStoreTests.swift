import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// EmailStore against a real scratch database: the mail sync's SQL functions as the engine
/// calls them (worker sessions under the mailbox owner's identity), checked through the
/// superuser's view of the tables.
@Suite("Email store")
struct EmailStoreTests {
    static let owner = Demo.aliceAtAcme
    static let account = Demo.aliceEmail

    static func message(
        _ id: String, uid: Int64, flags: [String] = [], inReplyTo: String? = nil, attachments: Int = 0
    ) -> EmailImportMessage {
        EmailImportMessage(
            providerMessageID: id, internetMessageID: id, fromAddress: "customer@initech.example",
            toAddresses: ["alice@acme.example"], subject: "About \(id)", bodyText: "Body of \(id)",
            receivedAt: Date(timeIntervalSince1970: 1_796_000_000 + Double(uid)), sizeBytes: 1_000 + uid,
            inReplyTo: inReplyTo, referencesIDs: inReplyTo.map { [$0] } ?? [], uid: uid, flags: flags, modseq: uid,
            attachments: (0..<attachments).map {
                EmailImportAttachment(filename: "file\($0).pdf", contentType: "application/pdf", sizeBytes: 10)
            })
    }

    /// One value read as the superuser.
    static func scalar<T: PostgresDecodable>(_ admin: PostgresConnection, _ sql: SQL, as type: T.Type = T.self) async throws -> T? {
        try await admin.query(sql).first?.decode(T?.self, at: 0)
    }

    static func rowCount(_ admin: PostgresConnection, _ id: String) async throws -> Int {
        try await Self.scalar(admin, "select count(*)::int from public.email_messages where provider_message_id = \(id)", as: Int.self) ?? -1
    }

    @Test("import is idempotent: the same batch twice adds and changes nothing")
    func importIdempotent() async throws {
        try await TestDatabase.with("email_idem") { database in
            let store = EmailStore(database: database.tenant())
            let admin = try await database.adminConnection()
            let inbox = try await store.ensureFolder(account: Self.account, name: "INBOX", role: .inbox, as: Self.owner)
            #expect(try await store.ensureFolder(account: Self.account, name: "INBOX", role: .inbox, as: Self.owner) == inbox)
            let batch = [
                Self.message("<a@x>", uid: 1, flags: ["\\Seen"], attachments: 2),
                Self.message("<b@x>", uid: 2, inReplyTo: "<a@x>"),
            ]
            let cursor = EmailFolderCursor(uidValidity: 42, lastUID: 2, highestModSeq: 2)
            let first = try await store.importMessages(account: Self.account, folder: inbox, batch, cursor: cursor, as: Self.owner)
            #expect(first == EmailImportResult(inserted: 2, updated: 0))
            let sum: SQL = """
                select md5(string_agg(t::text, '|' order by t::text)) from (
                  select m.*::text as t from public.email_messages m where m.email_account_id = \(Self.account)
                  union all select l.*::text from public.email_message_locations l where l.email_account_id = \(Self.account)
                  union all select a.*::text from public.email_attachments a where a.email_account_id = \(Self.account)
                  union all select f.*::text from public.email_folders f where f.email_account_id = \(Self.account)) x
                """
            let before = try await Self.scalar(admin, sum, as: String.self)
            let again = try await store.importMessages(account: Self.account, folder: inbox, batch, cursor: cursor, as: Self.owner)
            #expect(again == EmailImportResult(inserted: 0, updated: 0))
            #expect(try await Self.scalar(admin, sum, as: String.self) == before, "a replayed batch changed a row")
            #expect(try await Self.rowCount(admin, "<a@x>") == 1)
            let attachments: Int? = try await Self.scalar(admin,
                "select count(*)::int from public.email_attachments a join public.email_messages m on m.id = a.email_message_id where m.provider_message_id = '<a@x>'")
            #expect(attachments == 2)
            let thread: String? = try await Self.scalar(admin,
                "select thread_id from public.email_messages where provider_message_id = '<b@x>'")
            #expect(thread == "<a@x>", "a reply joins its parent's thread")
            let read: String? = try await Self.scalar(admin,
                "select string_agg(is_read::text, ',' order by provider_message_id) from public.email_messages where provider_message_id in ('<a@x>', '<b@x>')")
            #expect(read == "true,false")
            let received: Date? = try await Self.scalar(admin,
                "select received_at from public.email_messages where provider_message_id = '<a@x>'")
            #expect(received == Date(timeIntervalSince1970: 1_796_000_001))
        }
    }

    @Test("one message in two folders is one row with two locations; flags drive is_read; expunge marks, re-import clears")
    func foldersFlagsExpunge() async throws {
        try await TestDatabase.with("email_folders") { database in
            let store = EmailStore(database: database.tenant())
            let admin = try await database.adminConnection()
            let inbox = try await store.ensureFolder(account: Self.account, name: "INBOX", role: .inbox, as: Self.owner)
            let sent = try await store.ensureFolder(account: Self.account, name: "Sent", role: .sent, as: Self.owner)
            _ = try await store.importMessages(
                account: Self.account, folder: inbox, [Self.message("<c@x>", uid: 7)], cursor: nil, as: Self.owner)
            let second = try await store.importMessages(
                account: Self.account, folder: sent, [Self.message("<c@x>", uid: 3)], cursor: nil, as: Self.owner)
            #expect(second == EmailImportResult(inserted: 0, updated: 1), "a second location updates, never inserts")
            #expect(try await Self.rowCount(admin, "<c@x>") == 1)
            let locations: Int? = try await Self.scalar(admin,
                "select count(*)::int from public.email_message_locations l join public.email_messages m on m.id = l.email_message_id where m.provider_message_id = '<c@x>'")
            #expect(locations == 2)
            let isRead: SQL = "select is_read from public.email_messages where provider_message_id = '<c@x>'"
            let expunged: SQL = "select expunged_at is not null from public.email_messages where provider_message_id = '<c@x>'"
            #expect(try await Self.scalar(admin, isRead, as: Bool.self) == false)

            let flagged = try await store.applyFolderChanges(
                account: Self.account, folder: sent, flags: [EmailFlagChange(uid: 3, flags: ["\\Seen"], modseq: 9)],
                expunged: [], cursor: nil, as: Self.owner)
            #expect(flagged == EmailFolderChangeResult(updated: 1, deleted: 0))
            #expect(try await Self.scalar(admin, isRead, as: Bool.self) == true, "\\Seen in one folder makes it read")

            let one = try await store.applyFolderChanges(
                account: Self.account, folder: inbox, flags: [], expunged: [7], cursor: nil, as: Self.owner)
            #expect(one == EmailFolderChangeResult(updated: 0, deleted: 0), "still in Sent: kept, not deleted")
            #expect(try await Self.scalar(admin, expunged, as: Bool.self) == false)
            #expect(try await store.folderUIDs(folder: inbox, as: Self.owner) == [])

            let all = try await store.applyFolderChanges(
                account: Self.account, folder: sent, flags: [], expunged: [3], cursor: nil, as: Self.owner)
            #expect(all == EmailFolderChangeResult(updated: 0, deleted: 1))
            #expect(try await Self.scalar(admin, expunged, as: Bool.self) == true, "in no folder: marked expunged")
            #expect(try await Self.rowCount(admin, "<c@x>") == 1, "never deleted")

            let back = try await store.importMessages(
                account: Self.account, folder: inbox, [Self.message("<c@x>", uid: 8)], cursor: nil, as: Self.owner)
            #expect(back == EmailImportResult(inserted: 0, updated: 1))
            #expect(try await Self.scalar(admin, expunged, as: Bool.self) == false, "re-import clears expunged_at")
            #expect(try await store.folderUIDs(folder: inbox, as: Self.owner) == [8])
        }
    }

    @Test("the folder cursor never moves backwards; another UIDVALIDITY needs a reset, which keeps the rows")
    func cursorAndReset() async throws {
        try await TestDatabase.with("email_cursor") { database in
            let store = EmailStore(database: database.tenant())
            let admin = try await database.adminConnection()
            let inbox = try await store.ensureFolder(account: Self.account, name: "INBOX", role: .inbox, as: Self.owner)
            _ = try await store.importMessages(
                account: Self.account, folder: inbox, [Self.message("<d@x>", uid: 10)],
                cursor: EmailFolderCursor(uidValidity: 5, lastUID: 10, highestModSeq: 100, fullScan: true), as: Self.owner)
            _ = try await store.importMessages(
                account: Self.account, folder: inbox, [],
                cursor: EmailFolderCursor(uidValidity: 5, lastUID: 4, highestModSeq: 50), as: Self.owner)
            var state = try await store.folderState(account: Self.account, as: Self.owner)
            #expect(state.count == 1)
            #expect(state.first?.cursor == EmailFolderCursor(uidValidity: 5, lastUID: 10, highestModSeq: 100))
            #expect(state.first?.lastFullScanAt != nil)
            #expect(state.first?.role == .inbox)

            do {
                _ = try await store.importMessages(
                    account: Self.account, folder: inbox, [], cursor: EmailFolderCursor(uidValidity: 6, lastUID: 1),
                    as: Self.owner)
                Issue.record("a cursor of another UIDVALIDITY was accepted")
            } catch DatabaseError.wrongState {
                // UIDs of another UIDVALIDITY never land under the stored one: reset first
            }

            let marked = try await store.resetFolder(account: Self.account, folder: inbox, uidValidity: 6, as: Self.owner)
            #expect(marked == 1)
            state = try await store.folderState(account: Self.account, as: Self.owner)
            #expect(state.first?.cursor == EmailFolderCursor(uidValidity: 6, lastUID: 0, highestModSeq: nil))
            let rescan = try await store.importMessages(
                account: Self.account, folder: inbox, [Self.message("<d@x>", uid: 1)],
                cursor: EmailFolderCursor(uidValidity: 6, lastUID: 1), as: Self.owner)
            #expect(rescan == EmailImportResult(inserted: 0, updated: 1), "re-matched by Message-ID")
            #expect(try await Self.rowCount(admin, "<d@x>") == 1)
            let expunged: Bool? = try await Self.scalar(admin,
                "select expunged_at is not null from public.email_messages where provider_message_id = '<d@x>'")
            #expect(expunged == false)
        }
    }

    @Test("bad batches are refused as invalid values and write nothing; another user's folder is refused")
    func refusals() async throws {
        try await TestDatabase.with("email_refuse") { database in
            let store = EmailStore(database: database.tenant())
            let inbox = try await store.ensureFolder(account: Self.account, name: "INBOX", role: .inbox, as: Self.owner)
            do {
                _ = try await store.importMessages(
                    account: Self.account, folder: inbox, [Self.message("<e@x>", uid: 1), Self.message("<f@x>", uid: 1)],
                    cursor: nil, as: Self.owner)
                Issue.record("a batch with a UID twice was accepted")
            } catch DatabaseError.invalidValue {}
            do {
                _ = try await store.importMessages(
                    account: Self.account, folder: inbox, [Self.message("", uid: 1)], cursor: nil, as: Self.owner)
                Issue.record("an empty provider_message_id was accepted")
            } catch DatabaseError.invalidValue {}
            #expect(try await store.folderUIDs(folder: inbox, as: Self.owner) == [])
            do {
                _ = try await store.importMessages(
                    account: Seed.bobEmail, folder: inbox, [Self.message("<g@x>", uid: 1)], cursor: nil, as: Demo.bobAtAcme)
                Issue.record("bob imported into alice's folder")
            } catch DatabaseError.refused {}
            do {
                _ = try await store.folderState(account: Self.account, as: Demo.hankAtGlobex)
                Issue.record("hank read alice's folders")
            } catch DatabaseError.refused {}
        }
    }

    @Test("outbox: queue, claim, a stale send re-claimed and flagged, sent → one outbound row; duplicates refused")
    func outbox() async throws {
        try await TestDatabase.with("email_outbox") { database in
            let store = EmailStore(database: database.tenant())
            let admin = try await database.adminConnection()
            let raw = Data("Message-ID: <out-1@crm.test>\r\nSubject: Offer\r\n\r\nHello\r\n".utf8)
            let draft = EmailOutboxDraft(
                messageID: "<out-1@crm.test>", fromAddress: "alice@acme.example", toAddresses: ["customer@initech.example"],
                bccAddresses: ["archive@acme.example"], subject: "Offer", rawMIME: raw)
            let id = try await store.queue(draft, account: Self.account, as: Self.owner)
            do {
                _ = try await store.queue(draft, account: Self.account, as: Self.owner)
                Issue.record("a duplicate Message-ID was queued")
            } catch DatabaseError.alreadyExists {}
            var empty = draft
            empty.messageID = "<out-2@crm.test>"
            empty.toAddresses = []
            empty.bccAddresses = []
            do {
                _ = try await store.queue(empty, account: Self.account, as: Self.owner)
                Issue.record("a message without recipients was queued")
            } catch DatabaseError.invalidValue {}
            do {
                _ = try await store.queue(draft, account: Self.account, as: Demo.bobAtAcme)
                Issue.record("bob queued from alice's mailbox")
            } catch DatabaseError.refused {}

            let claimed = try await store.claimOutbox(account: Self.account, limit: 5, staleSeconds: 300, as: Self.owner)
            #expect(claimed.count == 1)
            #expect(claimed.first?.id == id)
            #expect(claimed.first?.rawMIME == raw, "bytea round trip")
            #expect(claimed.first?.recipients == ["customer@initech.example", "archive@acme.example"])
            #expect(claimed.first?.wasSending == false)
            #expect(claimed.first?.attempts == 1)
            #expect(try await store.claimOutbox(account: Self.account, limit: 5, staleSeconds: 300, as: Self.owner).isEmpty)

            // The worker died mid-send: after the stale time the message comes back, flagged.
            try await admin.query(
                "update public.email_outbox set sending_started_at = now() - interval '10 minutes' where id = \(id)")
            let again = try await store.claimOutbox(account: Self.account, limit: 5, staleSeconds: 300, as: Self.owner)
            #expect(again.map(\.wasSending) == [true])
            #expect(again.first?.attempts == 2)

            try await store.finishSend(outbox: id, .sent, as: Self.owner)
            try await store.finishSend(outbox: id, .sent, as: Self.owner)
            let outbound: Int? = try await Self.scalar(admin,
                """
                select count(*)::int from public.email_messages
                 where provider_message_id = '<out-1@crm.test>' and direction = 'outbound' and is_read and sent_at is not null
                """)
            #expect(outbound == 1)
            let linked: Bool? = try await Self.scalar(admin,
                """
                select o.status = 'sent' and o.email_message_id = m.id from public.email_outbox o
                  join public.email_messages m on m.provider_message_id = o.message_id where o.id = \(id)
                """)
            #expect(linked == true)
            do {
                try await store.finishSend(outbox: id, .failed(error: "550 rejected"), as: Self.owner)
                Issue.record("a sent message was marked failed")
            } catch DatabaseError.wrongState {}

            // retry: queued again at the given time, not claimable before it
            let retryID = try await store.queue(
                EmailOutboxDraft(messageID: "<out-3@crm.test>", fromAddress: "alice@acme.example",
                                 toAddresses: ["customer@initech.example"], subject: "Later", rawMIME: raw),
                account: Self.account, as: Self.owner)
            _ = try await store.claimOutbox(account: Self.account, limit: 5, staleSeconds: 300, as: Self.owner)
            try await store.finishSend(outbox: retryID, .retry(error: "421 try later", at: Date().addingTimeInterval(3600)), as: Self.owner)
            #expect(try await store.claimOutbox(account: Self.account, limit: 5, staleSeconds: 300, as: Self.owner).isEmpty)
            let status: String? = try await Self.scalar(admin,
                "select status || ':' || last_error from public.email_outbox where id = \(retryID)")
            #expect(status == "queued:421 try later")
        }
    }

    @Test("connect stores encrypted secrets, reconnects the same address, schedules it; leases and runs")
    func connectLeasesRuns() async throws {
        try await TestDatabase.with("email_connect") { database in
            let tenant = database.tenant()
            let store = EmailStore(database: tenant)
            let admin = try await database.adminConnection()
            let settings = EmailAccountSettings(
                provider: "imap", email: "alice@imap.example", imapHost: "127.0.0.1", imapPort: 1143,
                imapUsername: "alice", imapUseTLS: false, smtpHost: "127.0.0.1", smtpPort: 1587, smtpUsername: "alice")
            let secrets = EmailAccountSecrets(password: "pa55-word-not-logged")
            #expect(!String(describing: secrets).contains("pa55"))
            let id = try await store.connect(settings, secrets: secrets, as: Self.owner)
            let again = try await store.connect(settings, secrets: EmailAccountSecrets(), as: Self.owner)
            #expect(again == id, "the same address reconnects the same account")
            let stored: String? = try await Self.scalar(admin,
                "select connection_status || ':' || (password_encrypted is not null) || ':' || (next_sync_at <= now()) from public.email_accounts where id = \(id)")
            #expect(stored == "connected:true:true")
            let plaintext: Int? = try await Self.scalar(admin,
                "select count(*)::int from public.email_accounts where position(convert_to('pa55-word', 'UTF8') in password_encrypted) > 0")
            #expect(plaintext == 0, "the password is stored encrypted")
            let password = try await tenant.withSession(Self.owner, role: .worker, secrets: true) { connection in
                try await connection.query("select password from public.email_account_secrets(\(id))").first?.decode(String?.self, at: 0)
            }
            #expect(password == "pa55-word-not-logged", "the kept password still decrypts")
            do {
                _ = try await store.connect(
                    EmailAccountSettings(provider: "imap", email: "x@imap.example"), secrets: secrets, as: Self.owner)
                Issue.record("an imap account without servers was connected")
            } catch DatabaseError.invalidValue {}

            // due now → claimed once; renew and release by the holder only
            let claims = try await store.claim(worker: "w-email", limit: 10, leaseSeconds: 60)
            #expect(claims.map(\.accountID).contains(id))
            #expect(claims.first { $0.accountID == id }?.owner == Self.owner)
            #expect(try await store.claim(worker: "w-other", limit: 10, leaseSeconds: 60).map(\.accountID).contains(id) == false)
            #expect(try await store.renewLease(account: id, worker: "w-email", leaseSeconds: 60))
            #expect(try await store.renewLease(account: id, worker: "w-other", leaseSeconds: 60) == false)
            try await store.releaseLease(account: id, worker: "w-email")

            let log = try await store.startSync(account: id, syncType: "auto", as: Self.owner)
            try await store.finishSync(
                log: log, EmailSyncFinish(status: .failed, imported: 0, updated: 0, deleted: 0, errors: 1),
                details: [["message": "IMAP login failed"]], as: Self.owner)
            let health: String? = try await Self.scalar(admin,
                "select connection_status || ':' || consecutive_failures || ':' || last_error from public.email_account_health where id = \(id)")
            #expect(health == "error:1:IMAP login failed")
            try await store.requestSync(account: id, as: Self.owner)
            let requested: Bool? = try await Self.scalar(admin,
                "select sync_requested_at is not null from public.email_accounts where id = \(id)")
            #expect(requested == true)
        }
    }
}
