import Foundation

/// One mailbox from LIST.
public struct IMAPFolder: Sendable, Equatable {
    /// What a folder is for (RFC 6154 special-use attributes, and INBOX).
    public enum SpecialUse: String, Sendable {
        case inbox, sent, drafts, trash, junk, archive, all
    }

    /// The decoded name (modified UTF-7 undone); pass it back as is to `examine`/`append`.
    public var name: String
    /// The hierarchy delimiter, nil for a flat namespace.
    public var delimiter: String?
    /// Lowercased attributes as sent: `\noselect`, `\haschildren`, `\sent`, …
    public var attributes: Set<String>
    public var specialUse: SpecialUse?

    public init(name: String, delimiter: String?, attributes: Set<String>, specialUse: SpecialUse?) {
        self.name = name
        self.delimiter = delimiter
        self.attributes = attributes
        self.specialUse = specialUse
    }

    /// Whether EXAMINE can open it (`\Noselect` and `\NonExistent` folders only hold others).
    public var isSelectable: Bool {
        !self.attributes.contains("\\noselect") && !self.attributes.contains("\\nonexistent")
    }
}

/// A folder's state as EXAMINE reports it, plus what QRESYNC says changed since a cursor.
public struct IMAPFolderStatus: Sendable {
    public var uidValidity: UInt32
    public var uidNext: UInt32?
    public var exists: Int
    /// nil when the server has no CONDSTORE or says NOMODSEQ for this folder.
    public var highestModSeq: UInt64?
    /// UIDs expunged since the QRESYNC cursor (`VANISHED (EARLIER)`).
    public var vanished: [UInt32]
    /// Messages whose flags changed (or which arrived) since the QRESYNC cursor.
    public var changed: [IMAPMessageFlags]
    /// Whether the QRESYNC parameters were sent (the server has QRESYNC). When false,
    /// `vanished` and `changed` are empty and expunges must be found by a UID diff. Also false
    /// data when the server's UIDVALIDITY differs from the cursor's (it then ignores them).
    public var usedQRESYNC: Bool

    public init(
        uidValidity: UInt32, uidNext: UInt32?, exists: Int, highestModSeq: UInt64?,
        vanished: [UInt32] = [], changed: [IMAPMessageFlags] = [], usedQRESYNC: Bool = false
    ) {
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.exists = exists
        self.highestModSeq = highestModSeq
        self.vanished = vanished
        self.changed = changed
        self.usedQRESYNC = usedQRESYNC
    }
}

/// A message's flags (and CONDSTORE mod-sequence).
public struct IMAPMessageFlags: Sendable, Equatable {
    public var uid: UInt32
    /// As the server spells them: `\Seen`, `\Flagged`, `$Forwarded`, …
    public var flags: [String]
    public var modSeq: UInt64?

    public init(uid: UInt32, flags: [String], modSeq: UInt64?) {
        self.uid = uid
        self.flags = flags
        self.modSeq = modSeq
    }
}

/// A whole message, fetched with BODY.PEEK[] (never marks it read).
public struct IMAPFetchedMessage: Sendable {
    public var uid: UInt32
    public var flags: [String]
    public var modSeq: UInt64?
    public var internalDate: Date?
    public var size: Int?
    /// The RFC 5322 message exactly as stored.
    public var raw: [UInt8]

    public init(uid: UInt32, flags: [String], modSeq: UInt64?, internalDate: Date?, size: Int?, raw: [UInt8]) {
        self.uid = uid
        self.flags = flags
        self.modSeq = modSeq
        self.internalDate = internalDate
        self.size = size
        self.raw = raw
    }
}
