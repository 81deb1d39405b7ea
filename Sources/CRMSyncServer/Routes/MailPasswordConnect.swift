import CRMSyncDatabase
import CRMSyncMail
import Foundation
import Hummingbird
import MailTransport

/// `POST /v1/mail/accounts/connect` for an iCloud (`apple`) or any IMAP (`imap`) mailbox: the
/// person gives the servers and an (app-specific) password. `MailAccountConnector`, the CLI's
/// `crmsync mail connect`, logs in to IMAP and SMTP first and stores the account with the
/// password encrypted only when both accepted it: a wrong password, an unreachable server or an
/// untrusted certificate is a 422 with the reason, and nothing is stored. The password is never
/// echoed, logged or kept anywhere but encrypted in the account.
struct MailPasswordConnect: Sendable {
    let dependencies: ServerDependencies

    /// One server's settings in the request; unknown keys are refused like the body's.
    struct ServerSettings: Decodable, Sendable {
        var host: String?
        var port: Int?
        var username: String?
        /// `tls` (implicit TLS) or `starttls`.
        var security: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case host, port, username, security
        }

        init(from decoder: any Decoder) throws {
            try NestedObjectKeys.refuseUnknown(in: decoder, known: Set(CodingKeys.allCases.map(\.rawValue)))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.host = try container.decodeIfPresent(String.self, forKey: .host)
            self.port = try container.decodeIfPresent(Int.self, forKey: .port)
            self.username = try container.decodeIfPresent(String.self, forKey: .username)
            self.security = try container.decodeIfPresent(String.self, forKey: .security)
        }
    }

    func connect(_ body: MailConnectRoutes.ConnectRequest, provider: IMAPMailProvider, identity: Identity) async throws -> Response {
        guard body.loginHint == nil else {
            throw APIError.badRequest("invalid_field", "login_hint is for gmail and outlook; give email for \(provider.rawValue)")
        }
        guard let email = body.email, Self.isEmail(email) else {
            throw APIError.badRequest("invalid_field", "email must be an address of at most 320 characters")
        }
        guard let password = body.password, (1...1024).contains(password.utf8.count), !password.contains("\u{0}") else {
            throw APIError.badRequest("invalid_field", "password must be 1 to 1024 bytes")
        }
        if let name = body.displayName, !FieldRules.isLoginHint(name) || name.isEmpty {
            throw APIError.badRequest("invalid_field", "display_name must be 1 to 320 printable characters")
        }
        let caFile = self.dependencies.configuration.mailTrust.caCertificateFile
        let preset = provider.preset
        let imap = try Self.endpoint(body.imap, field: "imap", preset: preset?.imap, defaultPorts: (993, 143), caFile: caFile)
        let smtp = try Self.endpoint(body.smtp, field: "smtp", preset: preset?.smtp, defaultPorts: (465, 587), caFile: caFile)
        // iCloud's IMAP takes the name part of the address, its SMTP the whole address.
        let defaultIMAPUser = provider == .apple ? String(email.split(separator: "@").first ?? "") : email
        let request = MailConnectRequest(
            provider: provider, email: email, displayName: body.displayName, imap: imap,
            imapUsername: try Self.username(body.imap?.username, field: "imap.username") ?? defaultIMAPUser, smtp: smtp,
            smtpUsername: try Self.username(body.smtp?.username, field: "smtp.username") ?? email, password: password)

        let connector = MailAccountConnector(database: self.dependencies.database, timeout: .seconds(30), logger: self.dependencies.logger)
        let id: UUID
        do {
            id = try await connector.connect(request, as: identity)
        } catch let error as MailSyncError {
            throw Self.refusal(error, password: password)
        }
        context(identity: identity, account: id, provider: provider)
        let account = try await MailAccountRoutes.notFound {
            try await EmailAccountStore(database: self.dependencies.database).record(id, for: identity)
        }
        return try JSONCoding.response(MailAccountView(account), status: .created)
    }

    private func context(identity: Identity, account: UUID, provider: IMAPMailProvider) {
        self.dependencies.logger.info(
            "mail account connected with a password",
            metadata: ["account": .string(account.lowercased), "provider": .string(provider.rawValue)])
    }

    /// The login's failure as a 422 the person can act on; the password never appears in it.
    static func refusal(_ error: MailSyncError, password: String) -> APIError {
        let code: String
        switch error {
        case .imap(_, .authenticationFailed), .smtp(_, .authenticationFailed): code = "mail_login_refused"
        case .imap(_, .unreachable), .smtp(_, .unreachable), .imap(_, .timedOut), .smtp(_, .timedOut): code = "mail_server_unreachable"
        case .imap(_, .certificate), .smtp(_, .certificate): code = "mail_server_untrusted"
        default: code = "mail_connect_failed"
        }
        let message = error.description.replacingOccurrences(of: password, with: "[password]")
        return APIError(.unprocessableContent, code: code, message: message)
    }

    /// The server of `settings`; iCloud's preset where no host is given (ports then default to
    /// the security's usual one: 993/143 for IMAP, 465/587 for SMTP).
    static func endpoint(
        _ settings: ServerSettings?, field: String, preset: MailServerEndpoint?, defaultPorts: (tls: Int, starttls: Int), caFile: String?
    ) throws -> MailServerEndpoint {
        var explicit: MailServerEndpoint.Security?
        switch settings?.security?.lowercased() {
        case nil: explicit = nil
        case "tls": explicit = .implicitTLS
        case "starttls": explicit = .startTLS
        default: throw APIError.badRequest("invalid_field", "\(field).security must be tls or starttls (plain text is not offered)")
        }
        let host: String
        let port: Int
        let security: MailServerEndpoint.Security
        if settings?.host == nil, let preset {
            host = preset.host
            security = explicit ?? preset.security
            port = settings?.port ?? preset.port
        } else {
            guard let given = settings?.host else { throw APIError.badRequest("invalid_field", "missing field: \(field).host") }
            guard Self.isHost(given) else {
                throw APIError.badRequest("invalid_field", "\(field).host must be a host name or an IP address")
            }
            host = given
            security = explicit ?? (settings?.port == defaultPorts.starttls ? .startTLS : .implicitTLS)
            port = settings?.port ?? (security == .implicitTLS ? defaultPorts.tls : defaultPorts.starttls)
        }
        guard (1...65535).contains(port) else { throw APIError.badRequest("invalid_field", "\(field).port must be 1 to 65535") }
        return MailServerEndpoint(host: host, port: port, security: security, caCertificateFile: caFile)
    }

    static func username(_ value: String?, field: String) throws -> String? {
        guard let value else { return nil }
        guard (1...320).contains(value.unicodeScalars.count), !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw APIError.badRequest("invalid_field", "\(field) must be 1 to 320 printable characters") }
        return value
    }

    static func isEmail(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        return value.utf8.count <= 320 && parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && !value.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control || "<>,\"".unicodeScalars.contains($0) }
    }

    /// Letters, digits, `.`, `-`, `_`, `:` (IPv6); at most 253 characters.
    static func isHost(_ value: String) -> Bool {
        (1...253).contains(value.utf8.count)
            && value.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-_:".unicodeScalars.contains($0)) }
    }
}
