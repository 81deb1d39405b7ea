import Foundation

/// Waits between retries, and tells the time; injected so tests check waits without sleeping.
public protocol Sleeper: Sendable {
    /// Waits `duration`; throws when the task is cancelled.
    func sleep(for duration: Duration) async throws
    /// The current time (used to read `Retry-After` dates).
    func now() -> Date
}

/// The real clock: `Task.sleep` and the system time.
public struct SystemSleeper: Sleeper {
    /// Creates the system sleeper.
    public init() {}

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }

    public func now() -> Date { Date() }
}
