import CRMSyncDatabase
import CRMSyncMail
import CRMSyncProviders
import CRMSyncSandboxSupport
import CRMSyncServer
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// An Outlook mailbox's Graph subscription end to end over real HTTP: a sync subscribes the
/// Inbox with `serve`'s webhook URL (Graph validates it), new mail makes the sandbox notify, and
/// `serve` marks the mailbox due; notifications with a wrong clientState change nothing.
@Suite("Outlook mail push")
struct OutlookMailPushTests {
    @Test("a sync subscribes the Inbox; a genuine notification marks the mailbox due, a forged one is refused")
    func subscriptionAndNotifications() async throws {
        try await ServerHarness.with("outlook_mail_push") { harness in
            let sandbox = Sandbox(base: harness.sandbox)
            let admin = try await harness.database.adminConnection()
            let owner = try await harness.database.addMember()
            let email = "pushed-\(owner.userID.uuidString.prefix(8).lowercased())@acme.example"
            let tokens = try await sandbox.authorize(.outlook, email: email, features: [.mailRead, .mailSend])
            let tenant = harness.database.tenant(maxConnections: 2)
            let account = try await EmailStore(database: tenant).connect(
                EmailAccountSettings(provider: "outlook", email: email),
                secrets: EmailAccountSecrets(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt),
                as: owner)
            let api = MailAPIAccess(
                database: tenant, endpoints: sandbox.endpoints,
                graphNotificationURL: ServerConfiguration.webhookURL(base: harness.server, provider: "microsoft"))
            let report = try await MailSyncEngine(database: tenant, api: api).sync(account: account, as: owner)
            #expect(report.status == .success, "\(report.errors)")
            let subscription = try #require(try await harness.scalar(
                "select push_subscription_id from public.email_accounts where id = \(account)"))
            #expect(try await harness.scalar(
                "select push_expires_at > now() + interval '2 days' and push_secret_hash is not null from public.email_accounts where id = \(account)") == "t")
            // A second sync keeps the live subscription instead of making another.
            _ = try await MailSyncEngine(database: tenant, api: api).sync(account: account, as: owner)
            #expect(try await harness.scalar("select push_subscription_id from public.email_accounts where id = \(account)") == subscription)
            try await admin.query("update public.email_accounts set sync_requested_at = null where id = \(account)")

            // Forged: the right subscription id with a wrong or missing clientState.
            let before = try await harness.fingerprint()
            for clientState in ["\"wrong\"", "null"] {
                let body = Data(
                    "{\"value\":[{\"subscriptionId\":\"\(subscription)\",\"clientState\":\(clientState),\"changeType\":\"created\"}]}".utf8)
                let status = try await harness.send(
                    "POST", "/webhooks/microsoft", headers: ["Content-Type": "application/json"], body: body).status
                #expect(status == 401, "clientState \(clientState)")
            }
            #expect(try await harness.fingerprint() == before, "a forged notification changed a tenant table")

            // Genuine: mail arrives in the Inbox, Graph (the sandbox) notifies serve.
            try await sandbox.control(
                "POST", "microsoft/users/\(email)/messages",
                ["mime": "From: a@b.example\r\nTo: \(email)\r\nSubject: Pushed\r\nMessage-ID: <pushed@b.example>\r\n\r\nhi\r\n"])
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(10))
            var due = false
            while clock.now < deadline, !due {
                due = try await harness.scalar("select sync_requested_at is not null from public.email_accounts where id = \(account)") == "t"
                if !due { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(due, "the notification marked the mailbox due")
        }
    }
}
