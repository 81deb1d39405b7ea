import CRMSyncDatabase
import CRMSyncMail
import CRMSyncTestSupport
import Foundation
import MailTransport
import Testing

/// Connecting verifies the login before storing anything; each failure is one clear line
/// without the password; the stored password is ciphertext.
@Suite("mail account connect")
struct MailConnectTests {
    static func request(_ server: TestMailServer, user: String, password: String, imap: MailServerEndpoint? = nil) -> MailConnectRequest {
        MailConnectRequest(
            provider: .imap, email: user, imap: imap ?? server.imaps, imapUsername: user, smtp: server.smtp, smtpUsername: user,
            password: password)
    }

    static func accountCount(_ database: TestDatabase, email: String) async throws -> Int {
        let admin = try await database.adminConnection()
        return try await admin.query("select count(*)::int from public.email_accounts where email = \(email)").first?.decode(Int.self, at: 0) ?? -1
    }

    @Test("wrong password, unreachable host and an untrusted certificate each fail clearly and store nothing")
    func failures() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_connect_fail") { database in
            let (user, password) = try await server.makeUser("conn")
            // Generous: a busy machine may keep a healthy server silent for seconds; none of the failures waits for it.
            let connector = MailAccountConnector(database: database.tenant(), timeout: .seconds(20))
            let wrong = "wrong-\(UUID().uuidString)"
            let cases: [(MailConnectRequest, String)] = [
                (Self.request(server, user: user, password: wrong), "login refused"),
                (Self.request(server, user: user, password: password, imap: MailServerEndpoint(host: "127.0.0.1", port: 1, security: .implicitTLS)), "unreachable"),
                (Self.request(server, user: user, password: password, imap: MailServerEndpoint(host: "127.0.0.1", port: server.imapsPort, security: .implicitTLS)), "certificate"),
            ]
            for (request, expected) in cases {
                do {
                    _ = try await connector.connect(request, as: Demo.aliceAtAcme)
                    Issue.record("connect succeeded; expected \(expected)")
                } catch {
                    let text = "\(error)"
                    #expect(text.contains(expected), "\(text)")
                    #expect(!text.contains(wrong) && !text.contains(password))
                    #expect(!text.contains("\n"))
                }
            }
            #expect(try await Self.accountCount(database, email: user) == 0)
        }
    }

    @Test("STARTTLS and implicit TLS both connect; the password is stored only as ciphertext")
    func connectsAndEncrypts() async throws {
        let server = try TestMailServer.fromEnvironment()
        try await TestDatabase.with("mail_connect_ok") { database in
            let (user, password) = try await server.makeUser("conn")
            let connector = MailAccountConnector(database: database.tenant())
            let id = try await connector.connect(Self.request(server, user: user, password: password, imap: server.imapStartTLS), as: Demo.aliceAtAcme)
            // Connecting again updates the same account.
            #expect(try await connector.connect(Self.request(server, user: user, password: password), as: Demo.aliceAtAcme) == id)
            #expect(try await Self.accountCount(database, email: user) == 1)
            let dump = try database.fullDump()
            #expect(!dump.contains(password))
            let admin = try await database.adminConnection()
            let stored = try await admin.query(
                "select connection_status, password_encrypted is not null from public.email_accounts where id = \(id)").first
            #expect(try stored?.decode(String.self, at: 0) == "connected")
            #expect(try stored?.decode(Bool.self, at: 1) == true)
        }
    }
}
