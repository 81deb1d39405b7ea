import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `HTTPTransport` over Foundation's URLSession, which on Linux is libcurl underneath
/// (FoundationNetworking): it ships with the toolchain and brings TLS and HTTP/2 from the
/// system's libcurl, so no further package is needed.
public struct URLSessionTransport: HTTPTransport {
    /// The timeout of requests that do not set one.
    public var defaultTimeout: Duration
    let session: URLSession

    /// Creates a transport. With `followsRedirects: false` a 3xx comes back as the response
    /// (to read `Location`). Transports that follow redirects share one session.
    public init(defaultTimeout: Duration = .seconds(30), followsRedirects: Bool = true) {
        self.session = followsRedirects ? Self.sharedSession : Self.makeSession(delegate: RedirectRefusal())
        self.defaultTimeout = defaultTimeout
    }

    /// One ephemeral session (no cookies, no cache) for every transport that follows
    /// redirects, so creating clients per job does not pile up sessions. Immutable.
    static let sharedSession = Self.makeSession(delegate: nil)

    static func makeSession(delegate: (any URLSessionDelegate)?) -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        urlRequest.timeoutInterval = (request.timeout ?? self.defaultTimeout).seconds
        for (name, value) in request.headers {
            urlRequest.setValue(value, forHTTPHeaderField: name)
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await self.session.data(for: urlRequest)
        } catch let error as URLError {
            throw Self.map(error)
        } catch {
            throw .other(code: -1)
        }
        guard let http = response as? HTTPURLResponse else { throw .other(code: -2) }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key] = value }
        }
        return HTTPResponse(status: http.statusCode, headers: headers, body: data)
    }

    static func map(_ error: URLError) -> TransportError {
        switch error.code {
        case .timedOut: .timedOut
        case .cannotConnectToHost, .networkConnectionLost, .notConnectedToInternet, .cannotFindHost,
             .dnsLookupFailed, .secureConnectionFailed:
            .connectionFailed
        default: .other(code: error.code.rawValue)
        }
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// A session delegate that refuses every redirect. Stateless, hence `Sendable`.
final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
