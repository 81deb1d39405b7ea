import CRMSyncDatabase
import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// The `/v1/mail/accounts` API as its owner uses it: list, show, settings, sync requests, the
/// sync log and disconnecting (keeping or deleting the imported mail, revoking a Gmail grant).
@Suite("Mail API: accounts, settings, sync, disconnect")
struct MailAccountAPITests {
    static let alicePath = "/v1/mail/accounts/\(Demo.aliceEmail.uuidString.lowercased())"

    @Test("a person lists and reads only their own mailboxes, with a status badge and no secret")
    func listsOwnAccounts() async throws {
        try await ServerHarness.with("mail_api_list") { harness in
            try await harness.scalar(
                """
                insert into public.email_folders (organization_id, email_account_id, name, role)
                values (\(Demo.acme), \(Demo.aliceEmail), 'INBOX', 'inbox')
                """)
            let list = try await harness.api("GET", "/v1/mail/accounts", as: Demo.alice, in: Demo.acme)
            #expect(list.status == 200)
            let accounts = try #require(try AccountAPITests.json(list)["accounts"] as? [[String: Any]])
            #expect(accounts.map { $0["id"] as? String } == [Demo.aliceEmail.uuidString.lowercased()])
            let account = try #require(accounts.first)
            #expect(account["provider"] as? String == "gmail" && account["status"] as? String == "connected")
            #expect(account["sharing_level"] as? String == "private")
            #expect((account["folders"] as? [[String: Any]])?.map { $0["name"] as? String } == ["INBOX"])
            #expect(account["sync_folders"] is NSNull)
            let text = String(decoding: list.body, as: UTF8.self)
            #expect(!text.contains("demo-secret") && !text.contains("token") && !text.contains("password"), "\(text)")

            let one = try await harness.api("GET", Self.alicePath, as: Demo.alice, in: Demo.acme)
            #expect(one.status == 200)
            #expect(try AccountAPITests.json(one)["email"] as? String == "alice@acme.example")
            // Bob (same organization) lists his own mailbox only; alice in globex sees none.
            let bob = try await harness.api("GET", "/v1/mail/accounts", as: Demo.bob, in: Demo.acme)
            #expect((try AccountAPITests.json(bob)["accounts"] as? [[String: Any]])?.map { $0["provider"] as? String } == ["outlook"])
            let forged = try await harness.api("GET", "/v1/mail/accounts", as: Demo.alice, in: Demo.globex)
            #expect((try AccountAPITests.json(forged)["accounts"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("settings: pause, folders, sharing level; the badge follows")
    func updatesSettings() async throws {
        try await ServerHarness.with("mail_api_settings") { harness in
            let paused = try await harness.api("PATCH", Self.alicePath, as: Demo.alice, in: Demo.acme, json: ["sync_enabled": false])
            #expect(paused.status == 200)
            #expect(try AccountAPITests.json(paused)["status"] as? String == "paused")
            let folders = try await harness.api(
                "PATCH", Self.alicePath, as: Demo.alice, in: Demo.acme, json: ["sync_folders": ["INBOX", "Projects/Acme"], "sync_enabled": true])
            #expect(folders.status == 200)
            #expect(try AccountAPITests.json(folders)["sync_folders"] as? [String] == ["INBOX", "Projects/Acme"])
            #expect(try await harness.scalar(
                "select concat_ws(' ', array_to_string(sync_folders, ','), sync_enabled, next_sync_at is not null) from email_accounts where id = \(Demo.aliceEmail)")
                == "INBOX,Projects/Acme t t")
            let reset = try await harness.api("PATCH", Self.alicePath, as: Demo.alice, in: Demo.acme, json: ["sync_folders": [String]()])
            #expect(try AccountAPITests.json(reset)["sync_folders"] is NSNull)
            let shared = try await harness.api("PATCH", Self.alicePath, as: Demo.alice, in: Demo.acme, json: ["sharing_level": "subject"])
            #expect(shared.status == 200)
            #expect(try AccountAPITests.json(shared)["sharing_level"] as? String == "subject")
            #expect(try await harness.scalar("select sharing_level from email_accounts where id = \(Demo.aliceEmail)") == "subject")
        }
    }

    @Test("a sync request is a 202 that marks the mailbox due and is counted; a paused one is a 409; the log lists runs")
    func requestsSync() async throws {
        try await ServerHarness.with("mail_api_sync") { harness in
            let accepted = try await harness.api("POST", Self.alicePath + "/sync", as: Demo.alice, in: Demo.acme)
            #expect(accepted.status == 202)
            #expect(try AccountAPITests.json(accepted)["sync_log"] as? String == Self.alicePath + "/sync-log")
            #expect(try await harness.scalar("select sync_requested_at is not null from email_accounts where id = \(Demo.aliceEmail)") == "t")
            let metrics = String(decoding: try await harness.send("GET", "/metrics").body, as: UTF8.self)
            #expect(metrics.contains("crmsync_mail_sync_requests_total 1"), "\(metrics)")

            _ = try await harness.api("PATCH", Self.alicePath, as: Demo.alice, in: Demo.acme, json: ["sync_enabled": false])
            let refused = try await harness.api("POST", Self.alicePath + "/sync", as: Demo.alice, in: Demo.acme)
            #expect(refused.status == 409 && AccountAPITests.errorCode(refused) == "account_not_syncable")

            try await harness.scalar(
                """
                insert into public.email_sync_log (organization_id, email_account_id, sync_type, status, messages_imported,
                                                   started_at, completed_at)
                values (\(Demo.acme), \(Demo.aliceEmail), 'manual', 'success', 3, now() - interval '2 minutes', now() - interval '1 minute'),
                       (\(Demo.acme), \(Demo.aliceEmail), 'auto', 'failed', 0, now() - interval '1 hour', now() - interval '59 minutes')
                """)
            let log = try await harness.api("GET", Self.alicePath + "/sync-log?limit=1", as: Demo.alice, in: Demo.acme)
            #expect(log.status == 200)
            let entries = try #require(try AccountAPITests.json(log)["entries"] as? [[String: Any]])
            #expect(entries.count == 1)
            #expect(entries.first?["status"] as? String == "success" && entries.first?["imported"] as? Int == 3)
        }
    }

    @Test("disconnect keeps the mail by default, wipes the secrets, fails queued mail, and the mailbox is gone from the API")
    func disconnectKeepsMail() async throws {
        try await ServerHarness.with("mail_api_disconnect") { harness in
            let messages = try await harness.scalar("select count(*) from email_messages where email_account_id = \(Demo.aliceEmail)")
            #expect(messages != "0")
            let queued = try await MailSendAPITests.send(harness, key: "before-disconnect", as: Demo.alice, json: MailSendAPITests.simple())
            #expect(queued.status == 202)
            let response = try await harness.api("DELETE", Self.alicePath, as: Demo.alice, in: Demo.acme)
            #expect(response.status == 200)
            let body = try AccountAPITests.json(response)
            #expect((body["account"] as? [String: Any])?["status"] as? String == "disconnected")
            #expect(body["messages_deleted"] as? Int == 0 && body["outbox_failed"] as? Int == 1)
            #expect(try await harness.scalar(
                """
                select concat_ws(' ', connection_status, sync_enabled, password_encrypted is null and access_token_encrypted is null
                                 and refresh_token_encrypted is null and push_expires_at is null)
                  from email_accounts where id = \(Demo.aliceEmail)
                """) == "disconnected f t")
            #expect(try await harness.scalar("select count(*) from email_messages where email_account_id = \(Demo.aliceEmail)") == messages)
            #expect(try await harness.scalar("select status from email_outbox where email_account_id = \(Demo.aliceEmail)") == "failed")
            #expect(try await harness.scalar(
                """
                select count(*) from public.audit_log
                 where action = 'email_account.disconnected' and target_id = \(Demo.aliceEmail)
                   and details->>'delete_mail' = 'false' and details->>'outbox_failed' = '1'
                """) == "1")
            for (method, path) in [("GET", Self.alicePath), ("PATCH", Self.alicePath), ("POST", Self.alicePath + "/sync"),
                                   ("GET", Self.alicePath + "/sync-log"), ("DELETE", Self.alicePath)] {
                let again = try await harness.api(method, path, as: Demo.alice, in: Demo.acme, json: method == "PATCH" ? ["sync_enabled": true] : nil)
                #expect(again.status == 404, "\(method) \(path)")
            }
            let list = try await harness.api("GET", "/v1/mail/accounts", as: Demo.alice, in: Demo.acme)
            #expect((try AccountAPITests.json(list)["accounts"] as? [Any])?.isEmpty == true)
            let send = try await MailSendAPITests.send(harness, key: "after-disconnect", as: Demo.alice, json: MailSendAPITests.simple())
            #expect(send.status == 404)
        }
    }

    @Test("delete_mail=true deletes the mailbox's messages (and only its own)")
    func disconnectDeletesMail() async throws {
        try await ServerHarness.with("mail_api_disconnect_delete") { harness in
            let bobEmail = try #require(try await harness.scalar(
                "select id::text from email_accounts where user_id = \(Demo.bob) and organization_id = \(Demo.acme)"))
            let others = try await harness.scalar("select count(*) from email_messages where email_account_id <> \(bobEmail)::uuid")
            #expect(try await harness.api("DELETE", "/v1/mail/accounts/\(bobEmail)?delete_mail=maybe", as: Demo.bob, in: Demo.acme).status == 400)
            let response = try await harness.api("DELETE", "/v1/mail/accounts/\(bobEmail)?delete_mail=true", as: Demo.bob, in: Demo.acme)
            #expect(response.status == 200)
            let body = try AccountAPITests.json(response)
            #expect(body["messages_deleted"] as? Int == 1)
            #expect(body["provider_grant"] as? String == "not_supported")
            #expect(try await harness.scalar("select count(*) from email_messages where email_account_id = \(bobEmail)::uuid") == "0")
            #expect(try await harness.scalar("select count(*) from email_messages where email_account_id <> \(bobEmail)::uuid") == others)
        }
    }

    @Test("disconnecting a Gmail mailbox revokes its grant at Google: the refresh token no longer works")
    func disconnectRevokesGmailGrant() async throws {
        try await ServerHarness.with("mail_api_revoke") { harness in
            let started = try await OAuthConnectFlowTests.start(
                harness, as: Demo.bob, in: Demo.acme, ["provider": "gmail", "login_hint": "bob.revoke@gmail.example"],
                path: "/v1/mail/accounts/connect")
            let result = try await OAuthConnectFlowTests.callback(harness, try await OAuthConnectFlowTests.authorize(harness, started))
            let account = try #require(result["account"].flatMap(UUID.init(uuidString:)))
            let refresh = try #require(
                try await EmailStore(database: harness.database.tenant()).secrets(of: account, as: Demo.bobAtAcme).refreshToken)
            let oauth = OAuthClient(
                provider: .google, credentials: OAuthCredentials(clientId: "sandbox-client", clientSecret: "sandbox-secret"),
                endpoints: .sandbox(harness.sandbox))
            _ = try await oauth.refresh(TokenSet(accessToken: "x", refreshToken: refresh, expiresAt: .distantPast, scope: nil))

            let response = try await harness.api("DELETE", "/v1/mail/accounts/\(account.uuidString.lowercased())", as: Demo.bob, in: Demo.acme)
            #expect(response.status == 200)
            #expect(try AccountAPITests.json(response)["provider_grant"] as? String == "revoked")
            await #expect(throws: ProviderError.self) {
                _ = try await oauth.refresh(TokenSet(accessToken: "x", refreshToken: refresh, expiresAt: .distantPast, scope: nil))
            }
        }
    }
}
