import Foundation
import PostgresClient

/// Reads of the mail engine: the account a sync or send run needs, how many messages a folder
/// holds, the sender of outgoing mail, the message a reply answers, and an account's owner for
/// operator commands.
extension EmailStore {
    /// An email account as a sync or send run reads it (never its secrets).
    public struct Account: Sendable, Hashable {
        public var id: UUID
        public var owner: Identity
        /// Provider, address and servers, as connecting stored them.
        public var settings: EmailAccountSettings
        /// Folder names to sync; nil = INBOX and Sent.
        public var syncFolders: [String]?
        public var connectionStatus: String
        /// When the provider's push registration lapses (Gmail users.watch); nil = none.
        public var pushExpiresAt: Date? = nil
    }

    /// The account as `owner`'s worker session sees it; nil when hidden or gone.
    public func account(_ id: UUID, as owner: Identity) async throws -> Account? {
        try await self.database.session(owner, role: .worker) { connection in
            guard
                let row = try await connection.query(
                    """
                    select user_id, organization_id, provider, email, display_name, imap_host, imap_port, imap_username,
                           imap_use_tls, smtp_host, smtp_port, smtp_username, smtp_use_starttls, sync_folders, connection_status,
                           push_expires_at
                      from public.email_accounts where id = \(id)
                    """
                ).first
            else { return nil }
            let settings = EmailAccountSettings(
                provider: try row.decode(String.self, at: 2), email: try row.decode(String.self, at: 3),
                displayName: try row.decode(String?.self, at: 4), imapHost: try row.decode(String?.self, at: 5),
                imapPort: try row.decode(Int?.self, at: 6), imapUsername: try row.decode(String?.self, at: 7),
                imapUseTLS: try row.decode(Bool.self, at: 8), smtpHost: try row.decode(String?.self, at: 9),
                smtpPort: try row.decode(Int?.self, at: 10), smtpUsername: try row.decode(String?.self, at: 11),
                smtpUseStartTLS: try row.decode(Bool.self, at: 12))
            return Account(
                id: id, owner: Identity(userID: try row.decode(UUID.self, at: 0), organizationID: try row.decode(UUID.self, at: 1)),
                settings: settings, syncFolders: try row.decode([String]?.self, at: 13),
                connectionStatus: try row.decode(String.self, at: 14), pushExpiresAt: try row.decode(Date?.self, at: 15))
        }
    }

    /// The decrypted password/tokens (`public.email_account_secrets`, audited as secret.read).
    public func secrets(of account: UUID, as owner: Identity) async throws -> EmailAccountSecrets {
        try await self.database.session(owner, role: .worker, secrets: true) { connection in
            guard
                let row = try await connection.query(
                    "select password, access_token, refresh_token, expires_at from public.email_account_secrets(\(account))"
                ).first
            else { return EmailAccountSecrets() }
            return EmailAccountSecrets(
                password: try row.decode(String?.self, at: 0), accessToken: try row.decode(String?.self, at: 1),
                refreshToken: try row.decode(String?.self, at: 2), expiresAt: try row.decode(Date?.self, at: 3))
        }
    }

    /// How many messages the CRM knows in `folder` (an index-only count: a no-change sync
    /// compares it with the server's EXISTS instead of reading every UID).
    public func folderMessageCount(folder: UUID, as owner: Identity) async throws -> Int {
        try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                "select count(*)::int from public.email_message_locations where folder_id = \(folder) and organization_id = \(owner.organizationID)"
            ).first?.decode(Int.self, at: 0) ?? 0
        }
    }

    /// Marks the account as needing a new password or token (the server refused the stored one).
    public func markNeedsReauth(_ account: UUID, as owner: Identity) async throws {
        _ = try await self.database.session(owner, role: .worker) { connection in
            try await connection.query("update public.email_accounts set connection_status = 'needs_reauth' where id = \(account)")
        }
    }

    /// The address and name mail from the account is sent as, for the person `identity`
    /// (their own account only).
    public func sender(of account: UUID, as identity: Identity) async throws -> (email: String, displayName: String?)? {
        try await self.database.session(identity, role: .authenticated) { connection in
            guard
                let row = try await connection.query(
                    "select email, display_name from public.email_accounts where id = \(account) and user_id = \(identity.userID)"
                ).first
            else { return nil }
            return (try row.decode(String.self, at: 0), try row.decode(String?.self, at: 1))
        }
    }

    /// The message a reply answers, found by its Message-ID (brackets optional) or its row id
    /// among the account's mail.
    public func replyContext(of target: String, account: UUID, as identity: Identity) async throws
        -> (messageID: String, references: [String], subject: String?)?
    {
        let bare = target.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t"))
        return try await self.database.session(identity, role: .authenticated) { connection in
            guard
                let row = try await connection.query(
                    """
                    select internet_message_id, references_ids, subject
                      from public.email_messages_visible
                     where email_account_id = \(account) and internet_message_id is not null
                       and (internet_message_id = \(bare) or id::text = lower(\(bare)))
                     order by received_at desc nulls last
                     limit 1
                    """
                ).first
            else { return nil }
            return (try row.decode(String.self, at: 0), try row.decode([String].self, at: 1), try row.decode(String?.self, at: 2))
        }
    }

    /// The owner of an account, read on an operator's connection (the CLI's lookup).
    public static func owner(of account: UUID, on connection: PostgresConnection) async throws -> Identity? {
        guard
            let row = try await connection.query(
                "select user_id, organization_id from public.email_accounts where id = \(account)"
            ).first
        else { return nil }
        return Identity(userID: try row.decode(UUID.self, at: 0), organizationID: try row.decode(UUID.self, at: 1))
    }
}
