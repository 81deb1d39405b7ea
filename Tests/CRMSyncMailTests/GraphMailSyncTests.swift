import CRMSyncDatabase
import CRMSyncMail
import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import Testing

/// Outlook mail through Microsoft Graph against the sandbox over loopback HTTP, into a scratch database.
@Suite("Outlook mail sync", .serialized)
struct GraphMailSyncTests {
    @Test("a first sync imports Inbox and Sent Items; a no-change sync is one delta request per folder")
    func firstSyncAndNoChange() async throws {
        try await APIMailHarness.with("graph_first", provider: .outlook) { mail in
            let first = try await mail.deliver(subject: "Delivery 1")
            let second = try await mail.deliver(subject: "Delivery 2")
            try await mail.sandbox.control("PATCH", "microsoft/users/\(mail.email)/messages/\(second)", ["isRead": true])
            let sent = try await mail.deliver(subject: "Our answer", from: mail.email, folder: "sentitems")
            let archived = try await mail.deliver(subject: "Old news", folder: "archive")
            let report = try await mail.sync()
            #expect(report.status == .success, "\(report.errors)")
            #expect(report.imported == 3)
            let rows = try await mail.rows()
            #expect(Set(rows.keys) == [first, second, sent])
            #expect(rows[archived] == nil)
            #expect(rows[first]?.isRead == false && rows[second]?.isRead == true)
            #expect(rows[first]?.labels == ["inbox"])
            #expect(rows[sent]?.direction == "outbound" && rows[sent]?.labels == ["sentitems"])
            #expect(rows[first]?.thread != nil)

            try await mail.sandbox.control("DELETE", "requests")
            let quiet = try await mail.sync()
            #expect(quiet.status == .success && quiet.imported == 0 && quiet.updated == 0 && quiet.deleted == 0)
            #expect(try await mail.sandbox.requestCount() == 2)
            #expect(try await mail.sandbox.requestCount(route: "GET /v1.0/me/mailFolders/*/messages/delta") == 2)
        }
    }

    @Test("new, read, moved and deleted messages reach the CRM; a move keeps the row (immutable ids)")
    func incrementalChanges() async throws {
        try await APIMailHarness.with("graph_incremental", provider: .outlook) { mail in
            let read = try await mail.deliver(subject: "Read me")
            let archived = try await mail.deliver(subject: "Archive me")
            let deleted = try await mail.deliver(subject: "Delete me")
            let filed = try await mail.deliver(subject: "File me under Sent Items")
            _ = try await mail.sync()
            let arrived = try await mail.deliver(subject: "New arrival")
            let path = "microsoft/users/\(mail.email)/messages/"
            try await mail.sandbox.control("PATCH", path + read, ["isRead": true, "categories": ["Customer"]])
            try await mail.sandbox.control("PATCH", path + archived, ["folder": "archive"])
            try await mail.sandbox.control("DELETE", path + deleted)
            try await mail.sandbox.control("PATCH", path + filed, ["folder": "sentitems"])
            let report = try await mail.sync()
            #expect(report.status == .success, "\(report.errors)")
            let rows = try await mail.rows()
            #expect(rows.count == 5)
            #expect(rows[arrived]?.subject == "New arrival" && rows[arrived]?.expunged == false)
            #expect(rows[read]?.isRead == true && rows[read]?.labels == ["Customer", "inbox"].sorted())
            #expect(rows[archived]?.expunged == true)
            #expect(rows[deleted]?.expunged == true)
            #expect(rows[filed]?.expunged == false && rows[filed]?.labels == ["sentitems"])

            try await mail.sandbox.control("PATCH", path + archived, ["folder": "inbox"])
            _ = try await mail.sync()
            #expect(try await mail.rows()[archived]?.expunged == false)
        }
    }

    @Test("an expired delta link (410) relists the folder without duplicating anything")
    func expiredDelta() async throws {
        try await APIMailHarness.with("graph_expired", provider: .outlook) { mail in
            for n in 1...3 { try await mail.deliver(subject: "Before \(n)") }
            _ = try await mail.sync()
            let later = try await mail.deliver(subject: "After expiry")
            try await mail.sandbox.control("POST", "users/\(mail.email)/expire-cursors")
            let report = try await mail.sync()
            #expect(report.status == .success, "\(report.errors)")
            let rows = try await mail.rows()
            #expect(rows.count == 4 && rows[later] != nil)
            #expect(rows.values.allSatisfy { !$0.expunged })
            try await mail.sandbox.control("DELETE", "requests")
            _ = try await mail.sync()
            #expect(try await mail.sandbox.requestCount() == 2)
        }
    }

    @Test("many new messages are read with at most four requests at once: no MailboxConcurrency 429 reaches the run")
    func concurrencyLimit() async throws {
        try await APIMailHarness.with("graph_concurrency", provider: .outlook) { mail in
            for n in 1...20 { try await mail.deliver(subject: "Bulk \(n)") }
            try await mail.sandbox.control("POST", "microsoft/mail/latency", ["ms": 50])
            let report = try await mail.sync()
            #expect(report.status == .success, "\(report.errors)")
            #expect(report.imported == 20)
            #expect(mail.sleeper.waits.isEmpty, "a request was throttled and waited: \(mail.sleeper.waits)")
        }
    }
}
