/// Sends one HTTP request and returns the response, whatever its status.
///
/// Implementations throw `TransportError` for failures below HTTP (no connection, timeout).
public protocol HTTPTransport: Sendable {
    /// Sends `request` and waits for the whole response.
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
}

/// A failure below HTTP. Carries no URL, so it never reveals a query string.
public enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request did not complete within its timeout.
    case timedOut
    /// No connection could be made, or it broke.
    case connectionFailed
    /// Anything else the transport reported; the code is the transport's (URLError code).
    case other(code: Int)

    public var description: String {
        switch self {
        case .timedOut: "request timed out"
        case .connectionFailed: "connection failed"
        case .other(let code): "transport error \(code)"
        }
    }
}
