import Foundation

/// What one mail sync run did, as `email_sync_log` records it.
public struct MailSyncReport: Sendable {
    public enum Status: String, Sendable {
        case success, partial, failed
    }

    public var status: Status
    /// Messages new to the CRM.
    public var imported = 0
    /// Known messages changed (flags, a new folder, re-found after a UIDVALIDITY reset).
    public var updated = 0
    /// Messages found gone from every folder (marked expunged, never deleted).
    public var deleted = 0
    /// Per-folder or per-message failures, without secrets.
    public var errors: [MailSyncErrorDetail] = []
    /// IMAP commands sent during the run (login included).
    public var roundTrips = 0
    /// Where the time went, for the benchmark.
    public var timing = MailSyncTiming()

    public init(status: Status) {
        self.status = status
    }
}

/// One failure of a run, as `email_sync_log.error_details` stores it.
public struct MailSyncErrorDetail: Sendable, Codable, Equatable {
    public var folder: String?
    public var uid: Int64?
    public var message: String

    public init(folder: String? = nil, uid: Int64? = nil, message: String) {
        self.folder = folder
        self.uid = uid
        self.message = message
    }
}

/// Seconds spent in each part of a run.
public struct MailSyncTiming: Sendable {
    public var imap: Duration = .zero
    public var mime: Duration = .zero
    public var sql: Duration = .zero

    /// Runs `body`, adding its time to `part`.
    @discardableResult
    mutating func measure<T>(_ part: WritableKeyPath<MailSyncTiming, Duration>, _ body: () async throws -> T) async rethrows -> T {
        let clock = ContinuousClock()
        let start = clock.now
        defer { self[keyPath: part] += clock.now - start }
        return try await body()
    }
}

extension MailSyncTiming {
    /// `measure` for synchronous work.
    mutating func measureSync<T>(_ part: WritableKeyPath<MailSyncTiming, Duration>, _ body: () throws -> T) rethrows -> T {
        let clock = ContinuousClock()
        let start = clock.now
        defer { self[keyPath: part] += clock.now - start }
        return try body()
    }
}
