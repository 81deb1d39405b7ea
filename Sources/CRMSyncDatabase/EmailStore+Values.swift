import Foundation

// The values EmailStore takes and returns (the batch's own types are in EmailImportMessage.swift).

/// A mailbox's provider and servers, as `connect_email_account` stores them.
public struct EmailAccountSettings: Sendable, Hashable {
    /// `gmail`, `outlook`, `apple` or `imap` (apple and imap need the IMAP and SMTP servers).
    public var provider: String
    public var email: String
    public var displayName: String?
    public var imapHost: String?
    public var imapPort: Int?
    public var imapUsername: String?
    public var imapUseTLS: Bool
    public var smtpHost: String?
    public var smtpPort: Int?
    public var smtpUsername: String?
    public var smtpUseStartTLS: Bool

    public init(
        provider: String, email: String, displayName: String? = nil, imapHost: String? = nil, imapPort: Int? = nil,
        imapUsername: String? = nil, imapUseTLS: Bool = true, smtpHost: String? = nil, smtpPort: Int? = nil,
        smtpUsername: String? = nil, smtpUseStartTLS: Bool = true
    ) {
        self.provider = provider
        self.email = email
        self.displayName = displayName
        self.imapHost = imapHost
        self.imapPort = imapPort
        self.imapUsername = imapUsername
        self.imapUseTLS = imapUseTLS
        self.smtpHost = smtpHost
        self.smtpPort = smtpPort
        self.smtpUsername = smtpUsername
        self.smtpUseStartTLS = smtpUseStartTLS
    }
}

/// A mailbox's password and/or OAuth tokens (nil = keep the stored one). Never printed: its
/// descriptions say only which secrets are present.
public struct EmailAccountSecrets: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var password: String?
    public var accessToken: String?
    public var refreshToken: String?
    public var expiresAt: Date?

    public init(password: String? = nil, accessToken: String? = nil, refreshToken: String? = nil, expiresAt: Date? = nil) {
        self.password = password
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
    }

    public var description: String {
        "EmailAccountSecrets(password: \(self.password == nil ? "none" : "****"), "
            + "accessToken: \(self.accessToken == nil ? "none" : "****"), "
            + "refreshToken: \(self.refreshToken == nil ? "none" : "****"))"
    }

    public var debugDescription: String { self.description }
}

/// How a mail sync run ended.
public enum EmailSyncStatus: String, Sendable, Hashable {
    case success, partial, failed
}

/// What one run did, as `finish_email_sync` records it.
public struct EmailSyncFinish: Sendable, Hashable {
    public var status: EmailSyncStatus
    public var imported: Int
    public var updated: Int
    public var deleted: Int
    public var errors: Int

    public init(status: EmailSyncStatus, imported: Int, updated: Int, deleted: Int, errors: Int) {
        self.status = status
        self.imported = imported
        self.updated = updated
        self.deleted = deleted
        self.errors = errors
    }
}

/// What a folder is for: the inbox, the special-use Sent folder, or any other chosen folder.
public enum EmailFolderRole: String, Sendable, Hashable, Codable {
    case inbox, sent, other
}

/// A synced folder and where its sync stands.
public struct EmailFolderState: Sendable, Hashable {
    public var folderID: UUID
    public var name: String
    public var role: EmailFolderRole
    /// Nil before the first batch.
    public var uidValidity: Int64?
    public var lastUID: Int64
    /// Nil: none stored (first sync, after a reset, or the server has no CONDSTORE).
    public var highestModSeq: Int64?
    public var lastFullScanAt: Date?

    public init(
        folderID: UUID, name: String, role: EmailFolderRole, uidValidity: Int64?, lastUID: Int64, highestModSeq: Int64?,
        lastFullScanAt: Date?
    ) {
        self.folderID = folderID
        self.name = name
        self.role = role
        self.uidValidity = uidValidity
        self.lastUID = lastUID
        self.highestModSeq = highestModSeq
        self.lastFullScanAt = lastFullScanAt
    }

    /// The stored cursor, as the next batch would write it unchanged.
    public var cursor: EmailFolderCursor {
        EmailFolderCursor(uidValidity: self.uidValidity, lastUID: self.lastUID, highestModSeq: self.highestModSeq)
    }
}

/// What `import_email_messages` did: new messages, and existing ones whose row, location or
/// read state changed.
public struct EmailImportResult: Sendable, Hashable {
    public var inserted: Int
    public var updated: Int

    public init(inserted: Int, updated: Int) {
        self.inserted = inserted
        self.updated = updated
    }
}

/// What `apply_email_folder_changes` did: messages whose flags or read state changed, and
/// messages newly marked expunged (in no folder any more).
public struct EmailFolderChangeResult: Sendable, Hashable {
    public var updated: Int
    public var deleted: Int

    public init(updated: Int, deleted: Int) {
        self.updated = updated
        self.deleted = deleted
    }
}
