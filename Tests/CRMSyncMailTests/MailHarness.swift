import CRMSyncDatabase
import CRMSyncMail
import CRMSyncTestSupport
import Foundation
import Logging
import MailTransport
import PostgresClient

/// One connected IMAP mailbox on the test Dovecot, owned by Alice at Acme in a scratch database.
struct MailHarness: Sendable {
    let database: TestDatabase
    let tenant: TenantDatabase
    let server: TestMailServer
    let user: String
    let password: String
    let account: UUID
    let owner: Identity

    static func connect(_ database: TestDatabase, server: TestMailServer, label: String = "alice", owner: Identity = Demo.aliceAtAcme) async throws -> MailHarness {
        let (user, password) = try await server.makeUser(label)
        // The test Dovecot gives every mailbox INBOX and Sent (marked \Sent), Drafts and Trash.
        let tenant = database.tenant(maxConnections: 4)
        let account = try await MailAccountConnector(database: tenant).connect(
            MailConnectRequest(
                provider: .imap, email: user, displayName: "Test \(label)", imap: server.imaps, imapUsername: user,
                smtp: server.smtp, smtpUsername: user, password: password),
            as: owner)
        return MailHarness(database: database, tenant: tenant, server: server, user: user, password: password, account: account, owner: owner)
    }

    var trust: MailTrust { MailTrust(caCertificateFile: self.server.caFile) }

    var engine: MailSyncEngine { MailSyncEngine(database: self.tenant, trust: self.trust) }

    func sync(full: Bool = false, batchSize: Int = 50) async throws -> MailSyncReport {
        try await self.engine.sync(account: self.account, as: self.owner, options: MailSyncOptions(full: full, batchSize: batchSize))
    }

    var sender: OutboxSender { OutboxSender(database: self.tenant, trust: self.trust, staleAfter: .seconds(1)) }

    /// The account's messages as the CRM holds them.
    struct Row: Sendable, Equatable {
        var id: UUID
        var key: String
        var subject: String?
        var isRead: Bool
        var expunged: Bool
        var direction: String
        var folders: [String]
    }

    func rows() async throws -> [Row] {
        let admin = try await self.database.adminConnection()
        let result = try await admin.query(
            """
            select m.id, m.provider_message_id,
                   (select s.subject from public.email_message_subjects s where s.organization_id = m.organization_id and s.email_message_id = m.id),
                   m.is_read, m.expunged_at is not null, m.direction,
                   coalesce((select string_agg(f.name, '|' order by f.name) from public.email_message_locations l
                             join public.email_folders f on f.organization_id = l.organization_id and f.id = l.folder_id
                            where l.organization_id = m.organization_id and l.email_message_id = m.id), '')
              from public.email_messages m
             where m.email_account_id = \(self.account)
             order by m.provider_message_id
            """)
        return try result.rows.map {
            Row(
                id: try $0.decode(UUID.self, at: 0), key: try $0.decode(String.self, at: 1), subject: try $0.decode(String?.self, at: 2),
                isRead: try $0.decode(Bool.self, at: 3), expunged: try $0.decode(Bool.self, at: 4), direction: try $0.decode(String.self, at: 5),
                folders: try $0.decode(String.self, at: 6).split(separator: "|").map(String.init))
        }
    }

    /// An IMAP session of the mailbox's owner (to look at the server as a mail client would).
    func imap() async throws -> IMAPClient {
        try await IMAPClient.connect(
            to: self.server.imaps, credential: .password(username: self.user, password: self.password), logger: Logger(label: "test"))
    }
}
