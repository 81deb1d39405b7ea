import CRMSyncDatabase
import CRMSyncMail
import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import Testing

/// OAuth of Gmail and Outlook mail accounts: an expired access token is refreshed and the new
/// one stored encrypted; a dead grant marks the account for reconnection; no token is ever in
/// what a run reports.
@Suite("Gmail and Outlook mail tokens", .serialized)
struct APIMailTokenTests {
    static func storedSecrets(_ mail: APIMailHarness) async throws -> EmailAccountSecrets {
        try await EmailStore(database: mail.tenant).secrets(of: mail.account, as: mail.owner)
    }

    @Test("an expired access token is refreshed during the run and the new one is stored", arguments: [APIMailProvider.gmail, .outlook])
    func refresh(_ provider: APIMailProvider) async throws {
        try await APIMailHarness.with("mail_refresh_\(provider.rawValue)", provider: provider) { mail in
            try await mail.deliver(subject: "Before")
            let before = try await Self.storedSecrets(mail)
            try await mail.sandbox.control("POST", "users/\(mail.email)/expire-access-tokens")
            let report = try await mail.sync()
            #expect(report.status == .success, "\(report.errors)")
            #expect(report.imported == 1)
            let after = try await Self.storedSecrets(mail)
            #expect(after.accessToken != nil && after.accessToken != before.accessToken)
            let admin = try await mail.database.adminConnection()
            let plaintext = try await admin.query(
                """
                select count(*) from public.email_accounts
                 where id = \(mail.account) and (position(convert_to(\(after.accessToken ?? "-"), 'UTF8') in access_token_encrypted) > 0)
                """
            ).first?.decode(Int.self, at: 0)
            #expect(plaintext == 0, "the access token is stored as ciphertext")
        }
    }

    @Test("a revoked grant fails the run, marks the account needs_reauth and leaks no token", arguments: [APIMailProvider.gmail, .outlook])
    func deadGrant(_ provider: APIMailProvider) async throws {
        try await APIMailHarness.with("mail_dead_\(provider.rawValue)", provider: provider) { mail in
            _ = try await mail.sync()
            let secrets = try await Self.storedSecrets(mail)
            try await mail.sandbox.control("POST", "users/\(mail.email)/revoke")
            try await mail.sandbox.control("POST", "users/\(mail.email)/expire-access-tokens")
            let report = try await mail.sync()
            #expect(report.status == .failed)
            let admin = try await mail.database.adminConnection()
            let row = try #require(try await admin.query(
                "select connection_status, coalesce(last_error, '') from public.email_accounts where id = \(mail.account)").first)
            #expect(try row.decode(String.self, at: 0) == "needs_reauth")
            let logged = try await admin.query(
                "select coalesce(string_agg(error_details::text, ' '), '') from public.email_sync_log where email_account_id = \(mail.account)"
            ).first?.decode(String.self, at: 0) ?? ""
            for secret in [secrets.accessToken, secrets.refreshToken].compactMap({ $0 }) {
                #expect(!logged.contains(secret) && !"\(report.errors)".contains(secret))
                #expect(!(try row.decode(String.self, at: 1)).contains(secret))
            }
        }
    }
}
