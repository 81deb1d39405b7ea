import CCurl
import Foundation

/// `StreamingHTTPTransport` over libcurl: one easy handle per request on its own thread. The
/// write callback hands each piece to the body's bounded queue and blocks while it is full, so
/// a slow reader slows the download (TCP back-pressure) instead of filling memory; a cancelled
/// reader makes the callback return 0, which aborts the transfer.
public struct CurlStreamingTransport: StreamingHTTPTransport {
    /// Connect timeout, and how long the transfer may stall (no byte at all) before it fails.
    public var timeout: Duration
    /// Unread bytes queued before the download waits.
    public var bufferLimit: Int

    public init(timeout: Duration = .seconds(30), bufferLimit: Int = 1 << 20) {
        self.timeout = timeout
        self.bufferLimit = max(16 * 1024, bufferLimit)
    }

    /// curl_global_init must run once before any handle; a lazily initialized static does that.
    private static let globalInit: CURLcode = crmsync_curl_global_init()

    public func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamedResponse {
        guard Self.globalInit == CURLE_OK else { throw .other(code: -3) }
        let transfer = CurlTransfer(request: request, timeout: request.timeout ?? self.timeout, limit: self.bufferLimit)
        let thread = Thread { transfer.run() }
        thread.name = "crmsync.http.stream"
        thread.start()
        do {
            // A cancelled caller stops the transfer at its next piece of body.
            let (status, headers) = try await withTaskCancellationHandler {
                try await transfer.head()
            } onCancel: {
                transfer.channel.cancel()
            }
            return HTTPStreamedResponse(status: status, headers: headers, body: HTTPBodyStream(channel: transfer.channel))
        } catch let error as TransportError {
            transfer.channel.cancel()
            throw error
        } catch {
            transfer.channel.cancel()
            throw .other(code: -1)
        }
    }
}

/// One transfer's state, shared by its thread (callbacks) and the awaiting task; the head
/// fields are guarded by `lock`, the body by the channel. Hence `@unchecked Sendable`.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let timeout: Duration
    let channel: ChunkChannel
    private let lock = NSLock()
    private var status = 0
    private var headers: [String: String] = [:]
    private var headDone = false
    private var headResult: Result<(Int, [String: String]), TransportError>?
    private var headWaiter: CheckedContinuation<(Int, [String: String]), any Error>?

    init(request: HTTPRequest, timeout: Duration, limit: Int) {
        self.request = request
        self.timeout = timeout
        self.channel = ChunkChannel(limit: limit)
    }

    func head() async throws -> (Int, [String: String]) {
        try await withCheckedThrowingContinuation { continuation in
            self.lock.lock()
            if let result = self.headResult {
                self.lock.unlock()
                continuation.resume(with: result.mapError { $0 as any Error })
            } else {
                self.headWaiter = continuation
                self.lock.unlock()
            }
        }
    }

    private func resolveHead(_ result: Result<(Int, [String: String]), TransportError>) {
        self.lock.lock()
        guard self.headResult == nil else {
            self.lock.unlock()
            return
        }
        self.headResult = result
        let waiter = self.headWaiter
        self.headWaiter = nil
        self.lock.unlock()
        waiter?.resume(with: result.mapError { $0 as any Error })
    }

    /// One header line from libcurl: a status line starts a new head (1xx, redirects).
    func header(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            let parts = trimmed.split(separator: " ")
            self.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            self.headers = [:]
        } else if trimmed.isEmpty {
            if self.status >= 200 { self.resolveHead(.success((self.status, self.headers))) }
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].lowercased()
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            self.headers[name] = value
        }
    }

    /// Runs the whole transfer on the calling (dedicated) thread.
    func run() {
        guard let handle = curl_easy_init() else {
            self.resolveHead(.failure(.other(code: -3)))
            self.channel.finish(.other(code: -3))
            return
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in self.request.headers { list = curl_slist_append(list, "\(name): \(value)") }
        defer {
            curl_easy_cleanup(handle)
            if let list { curl_slist_free_all(list) }
        }
        let seconds = max(1, Int(self.timeout.components.seconds))
        _ = crmsync_curl_setopt_string(handle, CURLOPT_URL, self.request.url.absoluteString)
        _ = crmsync_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = crmsync_curl_setopt_string(handle, CURLOPT_NOPROXY, "*")
        _ = crmsync_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, seconds)
        // A stalled transfer (under 1 byte/s for the timeout) fails; a slow reader does not
        // count, as the write callback is what waits.
        _ = crmsync_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
        _ = crmsync_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, seconds)
        _ = crmsync_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = crmsync_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "identity")
        _ = crmsync_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, list)
        if self.request.method != "GET" { _ = crmsync_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, self.request.method) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = crmsync_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return size * count }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: buffer, count: size * count)
            transfer.header(String(decoding: bytes, as: UTF8.self))
            return size * count
        }
        _ = crmsync_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        _ = crmsync_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let bytes = Array(UnsafeRawBufferPointer(start: buffer, count: size * count))
            // Returning less than given aborts the transfer (CURLE_WRITE_ERROR).
            return transfer.channel.push(bytes) ? size * count : 0
        }
        _ = crmsync_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        let code = withExtendedLifetime(self) { curl_easy_perform(handle) }
        if code == CURLE_OK {
            var status = 0
            _ = crmsync_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            self.resolveHead(.success((status, self.headers)))
            self.channel.finish(nil)
        } else {
            let error = Self.map(code)
            self.resolveHead(.failure(error))
            self.channel.finish(error)
        }
    }

    static func map(_ code: CURLcode) -> TransportError {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: .timedOut
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_SSL_CONNECT_ERROR, CURLE_RECV_ERROR, CURLE_SEND_ERROR,
             CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            .connectionFailed
        default: .other(code: Int(code.rawValue))
        }
    }
}
