import CRMSyncDatabase
import CRMSyncMail
import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import Testing

/// Gmail through the Gmail API against the sandbox over loopback HTTP, into a scratch database.
@Suite("Gmail mail sync", .serialized)
struct GmailMailSyncTests {
    @Test("a first sync imports INBOX and SENT with labels, read state and threads; a no-change sync is one history request")
    func firstSyncAndNoChange() async throws {
        try await APIMailHarness.with("gmail_first", provider: .gmail) { mail in
            let first = try await mail.deliver(subject: "Quote 1")
            let second = try await mail.deliver(subject: "Quote 2")
            try await mail.sandbox.control("PATCH", "google/users/\(mail.email)/messages/\(second)", ["removeLabelIds": ["UNREAD"]])
            let sent = try await mail.deliver(subject: "Our offer", from: mail.email, to: mail.email, folder: "SENT")
            let draft = try await mail.deliver(subject: "Unfinished", folder: "DRAFT")
            let report = try await mail.sync()
            #expect(report.status == .success, "\(report.errors)")
            #expect(report.imported == 3)
            let rows = try await mail.rows()
            #expect(Set(rows.keys) == [first, second, sent])
            #expect(rows[draft] == nil)
            #expect(rows[first]?.isRead == false)
            #expect(rows[second]?.isRead == true)
            #expect(rows[first]?.labels.contains("INBOX") == true)
            #expect(rows[sent]?.direction == "outbound")
            #expect(rows[first]?.thread != nil && rows[first]?.thread != rows[second]?.thread)
            #expect(rows.values.allSatisfy { !$0.expunged })

            try await mail.sandbox.control("DELETE", "requests")
            let quiet = try await mail.sync()
            #expect(quiet.status == .success && quiet.imported == 0 && quiet.updated == 0 && quiet.deleted == 0)
            #expect(try await mail.sandbox.requestCount() == 1)
            #expect(try await mail.sandbox.requestCount(route: "GET /gmail/v1/users/me/history") == 1)
        }
    }

    @Test("new mail, read, archived, deleted and restored messages reach the CRM incrementally")
    func incrementalChanges() async throws {
        try await APIMailHarness.with("gmail_incremental", provider: .gmail) { mail in
            let read = try await mail.deliver(subject: "Read me")
            let archived = try await mail.deliver(subject: "Archive me")
            let deleted = try await mail.deliver(subject: "Delete me")
            _ = try await mail.sync()
            let arrived = try await mail.deliver(subject: "New arrival")
            let path = "google/users/\(mail.email)/messages/"
            try await mail.sandbox.control("PATCH", path + read, ["removeLabelIds": ["UNREAD"]])
            try await mail.sandbox.control("PATCH", path + archived, ["removeLabelIds": ["INBOX"]])
            try await mail.sandbox.control("DELETE", path + deleted)
            let report = try await mail.sync()
            #expect(report.status == .success, "\(report.errors)")
            #expect(report.imported == 1 && report.deleted == 2)
            var rows = try await mail.rows()
            #expect(rows[arrived]?.subject == "New arrival")
            #expect(rows[read]?.isRead == true && rows[read]?.expunged == false)
            #expect(rows[archived]?.expunged == true && rows[archived]?.labels.contains("INBOX") == false)
            #expect(rows[deleted]?.expunged == true)

            try await mail.sandbox.control("PATCH", path + archived, ["addLabelIds": ["INBOX"]])
            _ = try await mail.sync()
            rows = try await mail.rows()
            #expect(rows[archived]?.expunged == false)
            #expect(rows.count == 4)
        }
    }

    @Test("an expired history id relists the mailbox without duplicating anything, and the new cursor works")
    func expiredHistory() async throws {
        try await APIMailHarness.with("gmail_expired", provider: .gmail) { mail in
            for n in 1...3 { try await mail.deliver(subject: "Before \(n)") }
            _ = try await mail.sync()
            let later = try await mail.deliver(subject: "After expiry")
            let gone = try #require(try await mail.rows().keys.sorted().first)
            try await mail.sandbox.control("DELETE", "google/users/\(mail.email)/messages/\(gone)")
            try await mail.sandbox.control("POST", "users/\(mail.email)/expire-cursors")
            let report = try await mail.sync()
            #expect(report.status == .success, "\(report.errors)")
            let rows = try await mail.rows()
            #expect(rows.count == 4)
            #expect(rows[later] != nil)
            #expect(rows[gone]?.expunged == true)
            let admin = try await mail.database.adminConnection()
            let duplicates = try await admin.query(
                """
                select count(*) - count(distinct internet_message_id) from public.email_messages
                 where email_account_id = \(mail.account)
                """
            ).first?.decode(Int.self, at: 0)
            #expect(duplicates == 0)
            try await mail.sandbox.control("DELETE", "requests")
            _ = try await mail.sync()
            #expect(try await mail.sandbox.requestCount() == 1)
        }
    }

    @Test("a message listed as added and gone before it is read is skipped, not an error")
    func addedThenGone() async throws {
        try await APIMailHarness.with("gmail_gone", provider: .gmail) { mail in
            _ = try await mail.sync()
            let fleeting = try await mail.deliver(subject: "Fleeting")
            let kept = try await mail.deliver(subject: "Kept")
            // The message is deleted after history records it added: the read answers 404.
            try await mail.sandbox.control(
                "POST", "faults", ["route": "GET /gmail/v1/users/me/messages/\(fleeting)", "status": 404, "times": 1])
            let report = try await mail.sync()
            #expect(report.status == .success, "\(report.errors)")
            let rows = try await mail.rows()
            #expect(rows[kept] != nil && rows[fleeting] == nil)
        }
    }

    @Test("with a Pub/Sub topic, a sync registers the watch, keeps it while young and renews it once a day old")
    func watchRenewal() async throws {
        try await APIMailHarness.with("gmail_watch", provider: .gmail) { mail in
            var api = mail.api
            api.gmailPushTopic = "projects/p/topics/mail"
            let engine = MailSyncEngine(database: mail.tenant, api: api)
            let admin = try await mail.database.adminConnection()
            func expiresInDays() async throws -> Double? {
                try await admin.query(
                    "select extract(epoch from push_expires_at - now())::float8 / 86400 from public.email_accounts where id = \(mail.account)"
                ).first?.decode(Double?.self, at: 0)
            }
            try await mail.sandbox.control("DELETE", "requests")
            let first = try await engine.sync(account: mail.account, as: mail.owner)
            #expect(first.status == .success, "\(first.errors)")
            let days = try #require(try await expiresInDays())
            #expect(days > 6.9 && days <= 7.01)
            _ = try await engine.sync(account: mail.account, as: mail.owner)
            #expect(try await mail.sandbox.requestCount(route: "POST /gmail/v1/users/me/watch") == 1, "a young watch is kept")
            try await admin.query("update public.email_accounts set push_expires_at = now() + interval '5 days' where id = \(mail.account)")
            _ = try await engine.sync(account: mail.account, as: mail.owner)
            #expect(try await mail.sandbox.requestCount(route: "POST /gmail/v1/users/me/watch") == 2, "a day-old watch is renewed")
            #expect(try #require(try await expiresInDays()) > 6.9)

            // Reconnected: the watch made under the old grant is forgotten and made afresh.
            let tokens = try await mail.sandbox.authorize(.google, email: mail.email, features: [.mailRead, .mailSend])
            _ = try await EmailStore(database: mail.tenant).connect(
                EmailAccountSettings(provider: "gmail", email: mail.email),
                secrets: EmailAccountSecrets(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt),
                as: mail.owner)
            #expect(try await expiresInDays() == nil)
            _ = try await engine.sync(account: mail.account, as: mail.owner)
            #expect(try await mail.sandbox.requestCount(route: "POST /gmail/v1/users/me/watch") == 3)
        }
    }
}

