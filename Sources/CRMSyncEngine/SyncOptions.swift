/// How one sync run is done.
public struct SyncOptions: Sendable {
    /// What started the run, as `calendar_sync_log.sync_type` records it.
    public enum Trigger: String, Sendable, CaseIterable {
        case manual
        case auto
        case webhook
    }

    /// Which halves of the sync run, as `calendar_sync_log.sync_direction` records it.
    public enum Direction: String, Sendable, CaseIterable {
        case bidirectional
        case importOnly = "import"
        case exportOnly = "export"

        var imports: Bool { self != .exportOnly }
        var exports: Bool { self != .importOnly }
    }

    /// What started the run. Default `manual`.
    public var trigger: Trigger
    /// Which halves run. Default both.
    public var direction: Direction
    /// Ignore the stored cursor and list the whole window. Default false.
    public var full: Bool
    /// Appointments exported per batch (one SQL call to fetch, one to record). Default 100.
    public var exportBatchSize: Int
    /// Called with each step of the run (pages imported, batches exported).
    public var progress: @Sendable (SyncProgress) -> Void

    /// Creates options; see the properties for the defaults.
    public init(
        trigger: Trigger = .manual, direction: Direction = .bidirectional, full: Bool = false, exportBatchSize: Int = 100,
        progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }
    ) {
        self.trigger = trigger
        self.direction = direction
        self.full = full
        self.exportBatchSize = max(1, exportBatchSize)
        self.progress = progress
    }
}
