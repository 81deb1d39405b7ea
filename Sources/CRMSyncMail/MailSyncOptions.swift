/// How one mail sync run is done.
public struct MailSyncOptions: Sendable {
    /// What started the run, as `email_sync_log.sync_type` records it.
    public enum Trigger: String, Sendable, CaseIterable {
        case manual
        case auto
        case webhook
    }

    /// What started the run. Default `manual`.
    public var trigger: Trigger
    /// Rescan every folder from its first message (rows are matched, never duplicated).
    public var full: Bool
    /// Messages fetched and imported per batch (one IMAP round trip, one SQL call).
    public var batchSize: Int
    /// Called with each step of the run.
    public var progress: @Sendable (MailSyncProgress) -> Void

    public init(
        trigger: Trigger = .manual, full: Bool = false, batchSize: Int = 50,
        progress: @escaping @Sendable (MailSyncProgress) -> Void = { _ in }
    ) {
        self.trigger = trigger
        self.full = full
        self.batchSize = max(1, batchSize)
        self.progress = progress
    }
}

/// A step of a mail sync run, for progress displays.
public enum MailSyncProgress: Sendable {
    /// A folder is being synced: `new` messages to fetch.
    case folder(name: String, new: Int)
    /// A batch was imported: `done` of `total` new messages of the folder.
    case imported(folder: String, done: Int, total: Int)
}
