import CRMSyncDatabase
import CRMSyncMail
import CRMSyncSupport
import CRMSyncTestSupport
import Foundation
import MailTransport
import Testing

/// Imports from a real Dovecot into a real Postgres: round trips, incremental changes, moves,
/// UIDVALIDITY resets, one row per message whatever its folders, nothing marked read.
@Suite("mail sync over IMAP")
struct MailSyncTests {
    @Test("a seeded mailbox with hard MIME is imported whole, and importing marks nothing read")
    func roundTrip() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_roundtrip") { database in
            let mailbox = try await MailHarness.connect(database, server: server)
            for (index, raw) in HardMIME.all.enumerated() {
                try server.save(raw, user: mailbox.user)
                _ = index
            }
            let first = try await mailbox.sync()
            #expect(first.status == .success, "\(first.errors)")
            #expect(first.imported == HardMIME.all.count)
            let rows = try await mailbox.rows()
            #expect(rows.count == HardMIME.all.count)
            #expect(rows.allSatisfy { !$0.isRead && !$0.expunged && $0.folders == ["INBOX"] })
            let subjects = Set(rows.compactMap(\.subject))
            #expect(subjects.contains("Grüße aus Köln — ça va?"))
            #expect(subjects.contains("日本語の件名"))
            // Still unread on the server: EXAMINE and BODY.PEEK[] only.
            #expect(try server.messages(user: mailbox.user).allSatisfy { !$0.seen })

            let admin = try await database.adminConnection()
            let attachments = try await admin.query(
                "select count(*)::int from public.email_attachments where email_account_id = \(mailbox.account)"
            ).first?.decode(Int.self, at: 0)
            #expect(attachments == HardMIME.attachmentCount)

            // Nothing new: nothing imported, and a handful of IMAP commands.
            let second = try await mailbox.sync()
            #expect(second.status == .success)
            #expect(second.imported == 0 && second.updated == 0 && second.deleted == 0)
            #expect(try await mailbox.rows() == rows)
        }
    }

    @Test("new mail, read/unread changes, expunges and moves arrive incrementally; a moved message stays one row")
    func incremental() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_incremental") { database in
            let mailbox = try await MailHarness.connect(database, server: server)
            for index in 1...3 {
                try server.save(TestMessages.simple(id: "m\(index)@test", subject: "m\(index)"), user: mailbox.user)
            }
            _ = try await mailbox.sync()
            try server.save(TestMessages.simple(id: "m4@test", subject: "m4"), user: mailbox.user)
            try server.addFlag("\\Seen", uid: 1, user: mailbox.user)
            try server.expunge(uid: 2, user: mailbox.user)
            try server.move(uid: 3, user: mailbox.user, from: "INBOX", to: "Sent")
            let report = try await mailbox.sync()
            #expect(report.status == .success, "\(report.errors)")
            #expect(report.imported == 1)
            let rows = Dictionary(uniqueKeysWithValues: try await mailbox.rows().map { ($0.key, $0) })
            #expect(rows.count == 4)
            #expect(rows["m1@test"]?.isRead == true)
            #expect(rows["m2@test"]?.expunged == true)
            #expect(rows["m3@test"]?.expunged == false)
            #expect(rows["m3@test"]?.folders == ["Sent"])
            #expect(rows["m4@test"]?.folders == ["INBOX"])

            try server.removeFlag("\\Seen", uid: 1, user: mailbox.user)
            _ = try await mailbox.sync()
            #expect(try await mailbox.rows().first { $0.key == "m1@test" }?.isRead == false)
        }
    }

    @Test("a UIDVALIDITY reset re-matches the rows by Message-ID: same rows, no duplicates")
    func uidValidityReset() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_uidvalidity") { database in
            let mailbox = try await MailHarness.connect(database, server: server)
            for index in 1...5 {
                try server.save(TestMessages.simple(id: "u\(index)@test", subject: "u\(index)"), user: mailbox.user)
            }
            _ = try await mailbox.sync()
            let before = try await mailbox.rows()
            try server.setUIDValidity(4242, user: mailbox.user)
            try server.expunge(uid: 5, user: mailbox.user)
            let report = try await mailbox.sync()
            #expect(report.status == .success, "\(report.errors)")
            #expect(report.imported == 0)
            let after = try await mailbox.rows()
            #expect(after.map(\.id) == before.map(\.id))
            #expect(after.filter(\.expunged).map(\.key) == ["u5@test"])
        }
    }

    @Test("one message in two folders is one row with both locations")
    func oneRowPerMessage() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_two_folders") { database in
            let mailbox = try await MailHarness.connect(database, server: server)
            let raw = TestMessages.simple(id: "both@test", subject: "both")
            try server.save(raw, user: mailbox.user)
            try server.save(raw, user: mailbox.user, folder: "Sent")
            let noID = Array("From: a@example.test\r\nSubject: no id\r\n\r\nbody\r\n".utf8)
            try server.save(noID, user: mailbox.user)
            try server.save(noID, user: mailbox.user, folder: "Sent")
            _ = try await mailbox.sync()
            _ = try await mailbox.sync(full: true)
            let rows = try await mailbox.rows()
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0.folders == ["INBOX", "Sent"] })
        }
    }

    @Test("a 20 MB message is imported with its body cut at the cap and flagged, not lost")
    func bigMessage() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_big") { database in
            let mailbox = try await MailHarness.connect(database, server: server)
            try server.save(HardMIME.big(megabytes: 20, id: "big@test"), user: mailbox.user)
            let report = try await mailbox.sync()
            #expect(report.status == .success, "\(report.errors)")
            let admin = try await database.adminConnection()
            let row = try await admin.query(
                "select body_truncated, size_bytes, length(body_text) from public.email_messages_visible where email_account_id = \(mailbox.account)"
            ).first
            #expect(try row?.decode(Bool.self, at: 0) == true)
            #expect(try (row?.decode(Int64.self, at: 1) ?? 0) > 20_000_000)
            #expect(try (row?.decode(Int.self, at: 2) ?? Int.max) <= 1_000_000)
        }
    }

    @Test("randomized mailbox edits interleaved with syncs: the CRM equals the mailbox at the end")
    func convergence() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_convergence") { database in
            let mailbox = try await MailHarness.connect(database, server: server)
            var generator = SeededGenerator(seed: 0xC0FFEE)
            var next = 0
            for round in 0..<8 {
                for _ in 0..<6 {
                    let inbox = try server.messages(user: mailbox.user)
                    let pick = inbox.isEmpty ? nil : inbox[Int(generator.next() % UInt64(inbox.count))]
                    switch (generator.next() % 5, pick) {
                    case (1, let message?): try server.addFlag("\\Seen", uid: message.uid, user: mailbox.user)
                    case (2, let message?): try server.removeFlag("\\Seen", uid: message.uid, user: mailbox.user)
                    case (3, let message?): try server.expunge(uid: message.uid, user: mailbox.user)
                    case (4, let message?): try server.move(uid: message.uid, user: mailbox.user, from: "INBOX", to: "Sent")
                    default:
                        next += 1
                        try server.save(TestMessages.simple(id: "r\(next)@test", subject: "r\(next)"), user: mailbox.user)
                    }
                }
                let report = try await mailbox.sync(batchSize: 3)
                #expect(report.status == .success, "round \(round): \(report.errors)")
            }
            let inbox = try server.messages(user: mailbox.user)
            let sent = try server.messages(user: mailbox.user, folder: "Sent")
            let rows = try await mailbox.rows()
            let live = rows.filter { !$0.expunged }
            #expect(Set(live.map(\.key)) == Set((inbox + sent).map { $0.messageID }))
            for message in inbox {
                #expect(live.first { $0.key == message.messageID }?.isRead == message.seen)
            }
            #expect(rows.filter(\.expunged).allSatisfy { row in !(inbox + sent).contains { $0.messageID == row.key } })
        }
    }
}

