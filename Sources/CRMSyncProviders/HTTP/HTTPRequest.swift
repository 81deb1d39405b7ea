import Foundation

/// An HTTP request as the provider clients build it.
public struct HTTPRequest: Sendable, Hashable {
    /// The method, upper case.
    public var method: String
    /// The absolute URL.
    public var url: URL
    /// Header fields; names compared case-insensitively by transports.
    public var headers: [String: String]
    /// The body, if any.
    public var body: Data?
    /// How long the transport may take; nil uses the transport's default.
    public var timeout: Duration?

    /// Creates a request.
    public init(method: String, url: URL, headers: [String: String] = [:], body: Data? = nil, timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// Method and path, without the query (which may hold sync tokens) — for logs.
    var logLabel: String { "\(self.method) \(self.url.path)" }
}
