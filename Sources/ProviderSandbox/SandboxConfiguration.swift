import Foundation

/// Where the provider sandbox listens and how it behaves from the start.
public struct SandboxConfiguration: Sendable {
    /// Address to bind (default `127.0.0.1`).
    public var host: String
    /// Port to bind (default 8099; 0 picks a free port, see ``ProviderSandbox/run(onReady:)``).
    public var port: Int
    /// Seed of the generator behind every id, etag, token and code (default 1).
    public var seed: UInt64
    /// Base URL written into links the sandbox hands out (Graph `@odata.nextLink`, Google
    /// `resourceUri`); when nil the request's `Host` header is used.
    public var publicBaseURL: String?
    /// Lifetime of new access tokens in seconds (default 3600; the control API can change it).
    public var accessTokenLifetime: Int
    /// The wall clock; the control API can move the sandbox's time forward on top of it.
    public var clock: @Sendable () -> Date

    /// Creates a configuration; every argument has the documented default.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8099,
        seed: UInt64 = 1,
        publicBaseURL: String? = nil,
        accessTokenLifetime: Int = 3600,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.host = host
        self.port = port
        self.seed = seed
        self.publicBaseURL = publicBaseURL
        self.accessTokenLifetime = accessTokenLifetime
        self.clock = clock
    }
}
