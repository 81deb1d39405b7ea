import CRMSyncDatabase
import CRMSyncMail
import CRMSyncProviders
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import PostgresClient

/// One Gmail or Outlook mailbox in the provider sandbox, connected through the sandbox's OAuth
/// with the mail scopes, owned by a fresh member of Acme in a scratch database.
struct APIMailHarness: Sendable {
    let database: TestDatabase
    let sandbox: Sandbox
    let tenant: TenantDatabase
    let provider: APIMailProvider
    let email: String
    let account: UUID
    let owner: Identity
    let sleeper: TestSleeper

    static func with<T>(
        _ label: String, provider: APIMailProvider, _ body: (APIMailHarness) async throws -> T
    ) async throws -> T {
        try await TestDatabase.with(label) { database in
            try await Sandbox.run { sandbox in
                try await body(try await self.connect(database, sandbox: sandbox, provider: provider))
            }
        }
    }

    static func connect(
        _ database: TestDatabase, sandbox: Sandbox, provider: APIMailProvider, user: UUID = UUID(), email: String? = nil
    ) async throws -> APIMailHarness {
        try await database.registerSandboxOAuthClients()
        let owner = try await database.addMember(user: user)
        let email = email ?? "mail-\(user.uuidString.prefix(8).lowercased())@acme.example"
        let tokens = try await sandbox.authorize(provider.oauthProvider, email: email, features: [.mailRead, .mailSend])
        let tenant = database.tenant(maxConnections: 3)
        let account = try await EmailStore(database: tenant).connect(
            EmailAccountSettings(provider: provider.rawValue, email: email),
            secrets: EmailAccountSecrets(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt),
            as: owner)
        return APIMailHarness(
            database: database, sandbox: sandbox, tenant: tenant, provider: provider, email: email, account: account, owner: owner,
            sleeper: TestSleeper())
    }

    var api: MailAPIAccess {
        let http = ProviderHTTPClient(
            transport: URLSessionTransport(defaultTimeout: .seconds(10)), timeout: .seconds(10), sleeper: self.sleeper,
            jitter: SeededJitter(seed: 5))
        return MailAPIAccess(database: self.tenant, endpoints: self.sandbox.endpoints, http: http)
    }

    var engine: MailSyncEngine { MailSyncEngine(database: self.tenant, api: self.api) }

    var sender: OutboxSender { OutboxSender(database: self.tenant, staleAfter: .seconds(1), api: self.api) }

    func sync(full: Bool = false) async throws -> MailSyncReport {
        try await self.engine.sync(account: self.account, as: self.owner, options: MailSyncOptions(full: full))
    }

    /// The sandbox's provider name in its control paths.
    var controlProvider: String { self.provider == .gmail ? "google" : "microsoft" }

    /// Mail arrives in the sandbox mailbox of `email` (default: this one); returns the provider id.
    @discardableResult
    func deliver(
        subject: String, from: String = "customer@initech.example", to email: String? = nil, messageID: String? = nil,
        inReplyTo: String? = nil, folder: String? = nil
    ) async throws -> String {
        let address = email ?? self.email
        let id = messageID ?? "\(UUID().uuidString.lowercased())@initech.example"
        var mime = "From: Customer <\(from)>\r\nTo: \(address)\r\nSubject: \(subject)\r\nMessage-ID: <\(id)>\r\n"
        if let inReplyTo { mime += "In-Reply-To: <\(inReplyTo)>\r\nReferences: <\(inReplyTo)>\r\n" }
        mime += "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody of \(subject).\r\n"
        var body: [String: Any] = ["mime": mime]
        if let folder {
            if self.provider == .gmail { body["labelIds"] = folder == "SENT" ? ["SENT"] : [folder, "UNREAD"] } else { body["folder"] = folder }
        }
        let answer = try await self.sandbox.control("POST", "\(self.controlProvider)/users/\(address)/messages", body)
        // Graph's control answer carries the REST id and the immutable one crmsync keys rows by.
        guard let stored = (answer["immutableId"] ?? answer["id"]) as? String else { throw TestSetupError("the sandbox stored no message") }
        return stored
    }

    /// The account's messages as the CRM holds them, by provider id.
    struct Row: Sendable, Equatable {
        var key: String
        var subject: String?
        var labels: [String]
        var isRead: Bool
        var expunged: Bool
        var direction: String
        var thread: String?
    }

    func rows() async throws -> [String: Row] {
        let admin = try await self.database.adminConnection()
        let result = try await admin.query(
            """
            select m.provider_message_id,
                   (select s.subject from public.email_message_subjects s where s.organization_id = m.organization_id and s.email_message_id = m.id),
                   m.labels, m.is_read, m.expunged_at is not null, m.direction, m.thread_id
              from public.email_messages m where m.email_account_id = \(self.account)
            """)
        var rows: [String: Row] = [:]
        for row in result.rows {
            let key = try row.decode(String.self, at: 0)
            rows[key] = Row(
                key: key, subject: try row.decode(String?.self, at: 1), labels: try row.decode([String].self, at: 2),
                isRead: try row.decode(Bool.self, at: 3), expunged: try row.decode(Bool.self, at: 4),
                direction: try row.decode(String.self, at: 5), thread: try row.decode(String?.self, at: 6))
        }
        return rows
    }
}
