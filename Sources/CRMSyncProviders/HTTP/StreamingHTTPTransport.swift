import Foundation

/// Sends one request and hands its body over in chunks as they arrive, for downloads too large
/// to hold (attachments): `HTTPTransport` buffers whole bodies, this never does.
public protocol StreamingHTTPTransport: Sendable {
    /// Sends `request` and returns once the status and headers are in; the body follows in
    /// `response.body`. Throws `TransportError` for failures below HTTP.
    func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamedResponse
}

/// Status and headers of a streamed response, and its body still on the wire.
public struct HTTPStreamedResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields with lower-cased names.
    public var headers: [String: String]
    /// The body, chunk by chunk; it must be read to its end or cancelled.
    public var body: HTTPBodyStream

    public init(status: Int, headers: [String: String], body: HTTPBodyStream) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    public func header(_ name: String) -> String? { self.headers[name.lowercased()] }

    /// `Content-Length`, when the server sent one.
    public var contentLength: Int64? { self.header("Content-Length").flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }

    /// The first `limit` bytes of the body (error bodies are small), the rest dropped.
    public func collect(upTo limit: Int) async -> Data {
        var data = Data()
        do {
            for try await chunk in self.body {
                data.append(contentsOf: chunk.prefix(limit - data.count))
                if data.count >= limit { break }
            }
        } catch {}
        self.body.cancel()
        return data
    }
}

/// The body of a streamed response as an async sequence of byte chunks. The producer waits
/// while more than `limit` bytes are unread, so memory stays bounded whatever the body's size.
/// Dropping or cancelling it stops the transfer.
public final class HTTPBodyStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let channel: ChunkChannel

    init(channel: ChunkChannel) {
        self.channel = channel
    }

    deinit { self.channel.cancel() }

    /// A body with these chunks (tests, sandboxes and fixed answers).
    public static func fixed(_ chunks: [[UInt8]]) -> HTTPBodyStream {
        let channel = ChunkChannel(limit: Int.max)
        for chunk in chunks { _ = channel.push(chunk) }
        channel.finish(nil)
        return HTTPBodyStream(channel: channel)
    }

    /// Stops the transfer; readers see the end of the sequence as a `CancellationError`.
    public func cancel() { self.channel.cancel() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: HTTPBodyStream

        public mutating func next() async throws -> [UInt8]? {
            try await self.stream.channel.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}

/// Chunks from a producer thread to one async reader, at most `limit` bytes queued: `push`
/// blocks the producer (a dedicated thread, never the cooperative pool) until the reader has
/// taken enough. All state is guarded by `condition`, hence `@unchecked Sendable`.
final class ChunkChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var head = 0
    private var queued = 0
    private var ended = false
    private var failure: TransportError?
    private var cancelled = false
    private var waiter: CheckedContinuation<[UInt8]?, any Error>?
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    var isCancelled: Bool { self.condition.withLock { self.cancelled } }

    /// Queues `bytes`, waiting while the queue is full; false once the reader has cancelled.
    func push(_ bytes: [UInt8]) -> Bool {
        self.condition.lock()
        if self.cancelled {
            self.condition.unlock()
            return false
        }
        if let waiter = self.waiter {
            self.waiter = nil
            self.condition.unlock()
            waiter.resume(returning: bytes)
            return true
        }
        self.chunks.append(bytes)
        self.queued += bytes.count
        while self.queued > self.limit && !self.cancelled { self.condition.wait() }
        let open = !self.cancelled
        self.condition.unlock()
        return open
    }

    /// The body ended (`nil`) or broke.
    func finish(_ error: TransportError?) {
        self.condition.lock()
        self.ended = true
        self.failure = error
        let waiter = self.waiter
        self.waiter = nil
        self.condition.unlock()
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    func cancel() {
        self.condition.lock()
        self.cancelled = true
        let waiter = self.waiter
        self.waiter = nil
        self.condition.broadcast()
        self.condition.unlock()
        waiter?.resume(throwing: CancellationError())
    }

    func next() async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                self.condition.lock()
                if self.head < self.chunks.count {
                    let chunk = self.chunks[self.head]
                    self.chunks[self.head] = []
                    self.head += 1
                    if self.head == self.chunks.count {
                        self.chunks.removeAll(keepingCapacity: true)
                        self.head = 0
                    }
                    self.queued -= chunk.count
                    self.condition.broadcast()
                    self.condition.unlock()
                    continuation.resume(returning: chunk)
                } else if self.cancelled {
                    self.condition.unlock()
                    continuation.resume(throwing: CancellationError())
                } else if self.ended {
                    let failure = self.failure
                    self.condition.unlock()
                    if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
                } else {
                    self.waiter = continuation
                    self.condition.unlock()
                }
            }
        } onCancel: {
            self.cancel()
        }
    }
}
