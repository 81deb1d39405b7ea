/// How transient failures (rate limits, 5xx, timeouts) are retried: exponential backoff with
/// full jitter, `Retry-After` honoured, within a bounded number of attempts and total wait.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included. Default 5.
    public var maxAttempts: Int
    /// The backoff cap of the first retry; doubles each retry. Default 1 s.
    public var baseDelay: Duration
    /// The largest single wait from backoff. Default 32 s.
    public var maxDelay: Duration
    /// The most time spent waiting over all retries of one request; a `Retry-After` that
    /// would exceed it ends the retries. Default 90 s.
    public var maxTotalWait: Duration

    /// Creates a policy.
    public init(
        maxAttempts: Int = 5,
        baseDelay: Duration = .seconds(1),
        maxDelay: Duration = .seconds(32),
        maxTotalWait: Duration = .seconds(90)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxTotalWait = maxTotalWait
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before retry number `retry` (0 for the first retry): the server's
    /// `Retry-After` when given, otherwise a uniformly random duration between zero and
    /// `min(maxDelay, baseDelay × 2^retry)` ("full jitter").
    public func delay(forRetry retry: Int, retryAfter: Duration?, unit: Double) -> Duration {
        if let retryAfter { return max(retryAfter, .zero) }
        let cap = min(self.maxDelay.seconds, self.baseDelay.seconds * Double(1 << min(retry, 30)))
        let fraction = min(max(unit, 0), 1)
        return .milliseconds(Int64((cap * fraction * 1000).rounded(.down)))
    }
}
