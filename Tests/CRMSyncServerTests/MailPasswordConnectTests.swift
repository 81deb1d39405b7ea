import CRMSyncMail
import CRMSyncSupport
import CRMSyncTestSupport
import Foundation
import Testing

/// `POST /v1/mail/accounts/connect` for IMAP mailboxes against the loopback Dovecot and SMTP
/// servers of scripts/mail-servers.sh (user bob@example.test, password "secret"): the logins
/// are verified before anything is stored, and the password never comes back.
@Suite("Mail API: connecting an IMAP mailbox with a password")
struct MailPasswordConnectTests {
    struct MailServers {
        var imapsPort: Int
        var smtpPort: Int
        var caFile: String

        static func fromEnvironment() throws -> MailServers {
            let environment = ProcessInfo.processInfo.environment
            guard let imaps = environment["CRMSYNC_TEST_IMAPS_PORT"].flatMap(Int.init),
                let smtp = environment["CRMSYNC_TEST_SMTP_PORT"].flatMap(Int.init), let ca = environment["CRMSYNC_TEST_MAIL_CA"]
            else { throw TestSetupError("the CRMSYNC_TEST_* mail server variables are not set: eval \"$(scripts/mail-servers.sh start)\"") }
            return MailServers(imapsPort: imaps, smtpPort: smtp, caFile: ca)
        }

        func body(email: String = "bob@example.test", password: String) -> [String: Any] {
            [
                "provider": "imap", "email": email, "password": password, "display_name": "Bob at Dovecot",
                "imap": ["host": "127.0.0.1", "port": self.imapsPort, "security": "tls"],
                "smtp": ["host": "127.0.0.1", "port": self.smtpPort, "security": "starttls"],
            ]
        }
    }

    static func withServers(_ label: String, _ body: (ServerHarness, MailServers) async throws -> Void) async throws {
        let servers = try MailServers.fromEnvironment()
        try await ServerHarness.with(label, configure: { $0.mailTrust = MailTrust(caCertificateFile: servers.caFile) }) { harness in
            try await body(harness, servers)
        }
    }

    @Test("the right password: 201 with the connected mailbox, the password stored encrypted and never echoed")
    func connects() async throws {
        try await Self.withServers("mail_connect_imap") { harness, servers in
            let response = try await harness.api("POST", "/v1/mail/accounts/connect", as: Demo.bob, in: Demo.acme, json: servers.body(password: "secret"))
            #expect(response.status == 201, "\(String(decoding: response.body, as: UTF8.self))")
            let account = try AccountAPITests.json(response)
            let id = try #require(account["id"] as? String)
            #expect(account["provider"] as? String == "imap" && account["status"] as? String == "connected")
            #expect((account["imap"] as? [String: Any])?["port"] as? Int == servers.imapsPort)
            #expect(!String(decoding: response.body, as: UTF8.self).contains("secret"))
            #expect(try await harness.scalar(
                """
                select concat_ws(' ', connection_status, user_id = \(Demo.bob), password_encrypted is not null,
                                 position('secret' in encode(password_encrypted, 'escape')) = 0, imap_username, smtp_use_starttls)
                  from email_accounts where id = \(id)::uuid
                """) == "connected t t t bob@example.test t")
            let listed = try await harness.api("GET", "/v1/mail/accounts", as: Demo.bob, in: Demo.acme)
            #expect((try AccountAPITests.json(listed)["accounts"] as? [[String: Any]])?.contains { $0["id"] as? String == id } == true)
        }
    }

    @Test("a wrong password or an unreachable server: 422 with the reason, nothing stored, the password not echoed")
    func refusesAndStoresNothing() async throws {
        try await Self.withServers("mail_connect_imap_refused") { harness, servers in
            let before = try await harness.fingerprint()
            let audit = try await harness.scalar("select count(*) from public.audit_log")
            let wrong = "wrong-\(UUID().uuidString)"
            let refused = try await harness.api("POST", "/v1/mail/accounts/connect", as: Demo.bob, in: Demo.acme, json: servers.body(password: wrong))
            #expect(refused.status == 422 && AccountAPITests.errorCode(refused) == "mail_login_refused", "\(refused.status)")
            #expect(!String(decoding: refused.body, as: UTF8.self).contains(wrong))

            var unreachable = servers.body(password: "secret")
            unreachable["imap"] = ["host": "127.0.0.1", "port": try FreePort.pick(), "security": "tls"]
            let down = try await harness.api("POST", "/v1/mail/accounts/connect", as: Demo.bob, in: Demo.acme, json: unreachable)
            #expect(down.status == 422 && AccountAPITests.errorCode(down) == "mail_server_unreachable", "\(down.status)")

            #expect(try await harness.fingerprint() == before)
            #expect(try await harness.scalar("select count(*) from email_accounts where email = 'bob@example.test'") == "0")
            #expect(try await harness.scalar("select count(*) from public.audit_log") == audit)
        }
    }
}
