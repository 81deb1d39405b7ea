import CRMSyncDatabase
import CRMSyncMail
import CRMSyncSandboxSupport
import CRMSyncSupport
import CRMSyncTestSupport
import Foundation
import Testing

/// Seeded random edits of a Gmail or Outlook mailbox in the sandbox, synced in rounds while the
/// sandbox throttles (429 and 503 with Retry-After), expires access tokens and cursors; at the
/// end the CRM holds exactly the provider's mailbox: every message of a synced folder or label
/// once, with its labels and read state, and everything else marked expunged.
@Suite("Gmail and Outlook convergence", .serialized)
struct APIMailConvergenceTests {
    /// What the CRM must hold for one sandbox message: nil = expunged or never imported.
    struct Expected: Equatable, CustomStringConvertible {
        var labels: [String]
        var isRead: Bool
        var description: String { "\(self.labels) read=\(self.isRead)" }
    }

    static func expected(_ mail: APIMailHarness) async throws -> [String: Expected?] {
        var result: [String: Expected?] = [:]
        if mail.provider == .gmail {
            let answer = try await mail.sandbox.control("GET", "google/users/\(mail.email)/messages")
            for message in answer["messages"] as? [[String: Any]] ?? [] {
                guard let id = message["id"] as? String else { continue }
                let labels = (message["labelIds"] as? [String] ?? []).sorted()
                let synced = !Set(labels).isDisjoint(with: ["INBOX", "SENT"]) && !labels.contains("DRAFT")
                result[id] = synced ? Expected(labels: labels, isRead: !labels.contains("UNREAD")) : .some(nil)
            }
        } else {
            let answer = try await mail.sandbox.control("GET", "microsoft/users/\(mail.email)/messages")
            for message in answer["value"] as? [[String: Any]] ?? [] {
                guard let id = message["immutableId"] as? String, let folder = (message["folder"] as? String)?.lowercased() else { continue }
                let labels = ([folder] + (message["categories"] as? [String] ?? [])).sorted()
                let synced = folder == "inbox" || folder == "sentitems"
                result[id] = synced ? Expected(labels: labels, isRead: message["isRead"] as? Bool ?? false) : .some(nil)
            }
        }
        return result
    }

    /// One random edit of the mailbox as its person (or the world) would make it.
    static func edit(_ mail: APIMailHarness, known: inout [String], random: inout SeededGenerator) async throws {
        let gmail = mail.provider == .gmail
        let base = "\(mail.controlProvider)/users/\(mail.email)/messages/"
        let choice = known.isEmpty ? 0 : Int.random(in: 0..<6, using: &random)
        if choice == 0 {
            known.append(try await mail.deliver(subject: "Random \(known.count) \(random.next() % 1000)"))
            return
        }
        let id = known[Int.random(in: 0..<known.count, using: &random)]
        let body: [String: Any]? =
            switch (choice, gmail) {
            case (1, true): ["removeLabelIds": ["UNREAD"]]
            case (1, false): ["isRead": true]
            case (2, true): ["addLabelIds": ["UNREAD"]]
            case (2, false): ["isRead": false, "categories": ["Follow up"]]
            case (3, true): ["removeLabelIds": ["INBOX"]]
            case (3, false): ["folder": "archive"]
            case (4, true): ["addLabelIds": ["INBOX"]]
            case (4, false): ["folder": "inbox"]
            default: nil
            }
        do {
            if let body {
                try await mail.sandbox.control("PATCH", base + id, body)
            } else {
                try await mail.sandbox.control("DELETE", base + id)
                known.removeAll { $0 == id }
            }
        } catch is SandboxControlError {
            known.removeAll { $0 == id }  // deleted meanwhile
        }
    }

    /// A fault of the kind providers throw at a sync, on one of the routes it uses.
    static func disturb(_ mail: APIMailHarness, random: inout SeededGenerator) async throws {
        let routes =
            mail.provider == .gmail
            ? ["GET /gmail/v1/users/me/history", "GET /gmail/v1/users/me/messages/*", "GET /gmail/v1/users/me/messages"]
            : ["GET /v1.0/me/mailFolders/*/messages/delta", "GET /v1.0/me/messages/*/$value"]
        switch Int.random(in: 0..<5, using: &random) {
        case 0:
            try await mail.sandbox.control("POST", "users/\(mail.email)/expire-access-tokens")
        case 1:
            try await mail.sandbox.control("POST", "users/\(mail.email)/expire-cursors")
        default:
            let route = routes[Int.random(in: 0..<routes.count, using: &random)]
            let status = Bool.random(using: &random) ? 429 : 503
            try await mail.sandbox.control("POST", "faults", ["route": route, "status": status, "retryAfter": 2, "times": 1])
        }
    }

    @Test("random edits, throttling, expired tokens and cursors: the CRM ends equal to the mailbox",
          arguments: [(APIMailProvider.gmail, UInt64(17)), (.outlook, 29)])
    func converges(_ provider: APIMailProvider, seed: UInt64) async throws {
        try await APIMailHarness.with("converge_\(provider.rawValue)", provider: provider) { mail in
            var random = SeededGenerator(seed: seed)
            var known: [String] = []
            for _ in 0..<4 { known.append(try await mail.deliver(subject: "Start \(known.count)")) }
            for _ in 0..<8 {
                for _ in 0..<3 { try await Self.edit(mail, known: &known, random: &random) }
                try await Self.disturb(mail, random: &random)
                let report = try await mail.sync()
                #expect(report.status != .failed, "\(report.errors)")
            }
            try await mail.sandbox.control("DELETE", "faults")
            let final = try await mail.sync()
            #expect(final.status == .success, "\(final.errors)")
            let expected = try await Self.expected(mail)
            let rows = try await mail.rows()
            for (id, want) in expected {
                let row = rows[id]
                if let want {
                    #expect(row.map { Expected(labels: $0.labels, isRead: $0.isRead) } == want, "message \(id)")
                    #expect(row?.expunged == false, "message \(id) is in a synced folder")
                } else {
                    #expect(row == nil || row?.expunged == true, "message \(id) left the synced folders")
                }
            }
            // Deleted at the provider: the CRM keeps the row, expunged.
            for (id, row) in rows where expected[id] == nil {
                #expect(row.expunged, "message \(id) was deleted at the provider")
            }
            #expect(Set(rows.keys).isSuperset(of: expected.compactMap { $0.value == nil ? nil : $0.key }))
            #expect(mail.sleeper.waits.contains { $0 >= .seconds(2) }, "a Retry-After was honoured")
        }
    }
}
