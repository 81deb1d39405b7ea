import Foundation
import Logging

/// The HTTP stack the provider clients share: transport, per-request timeout, retry policy,
/// clock, jitter and logger.
///
/// It adds the bearer token, refreshes it once after a 401, retries transient failures with
/// backoff, and turns every other failure into a `ProviderError`. It logs only method, path,
/// status and waits, at debug level: never headers, queries or bodies.
public struct ProviderHTTPClient: Sendable {
    /// Sends the requests.
    public var transport: any HTTPTransport
    /// The timeout of each request. Default 30 s.
    public var timeout: Duration
    /// How transient failures are retried.
    public var retryPolicy: RetryPolicy
    /// Waits between retries and tells the time.
    public var sleeper: any Sleeper
    /// Randomness for backoff jitter.
    public var jitter: any JitterSource
    /// Where requests are logged (debug/trace only).
    public var logger: Logger
    /// Sends the downloads that are streamed, never buffered (attachments).
    public var streaming: any StreamingHTTPTransport = CurlStreamingTransport()

    /// Creates the stack; defaults are URLSession, 30 s, `RetryPolicy()`, the system clock
    /// and a logger that the default handler configuration decides about.
    public init(
        transport: any HTTPTransport = URLSessionTransport(),
        timeout: Duration = .seconds(30),
        retryPolicy: RetryPolicy = RetryPolicy(),
        sleeper: any Sleeper = SystemSleeper(),
        jitter: any JitterSource = SystemJitter(),
        logger: Logger = Logger(label: "crmsync.providers")
    ) {
        self.transport = transport
        self.timeout = timeout
        self.retryPolicy = retryPolicy
        self.sleeper = sleeper
        self.jitter = jitter
        self.logger = logger
    }
}
