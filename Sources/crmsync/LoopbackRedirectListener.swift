import Foundation
import Hummingbird
import Logging

/// A one-shot HTTP listener on 127.0.0.1 that receives an OAuth redirect, as RFC 8252 (OAuth
/// for native apps) describes: the redirect URI is `http://127.0.0.1:<port>/callback`, on a
/// port the system picks.
enum LoopbackRedirectListener {
    enum Failure: Error, CustomStringConvertible {
        case timedOut(Duration)
        case stopped

        var description: String {
            switch self {
            case .timedOut(let limit): "no authorization came back within \(limit)"
            case .stopped: "the redirect listener stopped before a callback arrived"
            }
        }
    }

    /// Listens, hands the redirect URI to `ready`, and returns the query of the first request
    /// to `/callback` (then stops listening). `ready` also gets a way to end the wait with a
    /// result of its own (an error the provider showed instead of redirecting).
    static func firstCallback(
        timeout: Duration, logger: Logger,
        ready: @escaping @Sendable (URL, _ finish: @escaping @Sendable ([String: String]) -> Void) async throws -> Void
    ) async throws -> [String: String] {
        let (callbacks, callbackSink) = AsyncStream.makeStream(of: [String: String].self)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        router.get("/callback") { request, _ -> Response in
            var query: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
            callbackSink.yield(query)
            let page = "<!doctype html><title>crmsync</title><p>crmsync received the authorization. You can close this window.</p>"
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
        }
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "crmsync-connect"),
            onServerRunning: { channel in portSink.yield(channel.localAddress?.port ?? 0) },
            logger: logger)

        return try await withThrowingTaskGroup(of: [String: String]?.self) { group in
            group.addTask {
                try await application.runService()
                return nil
            }
            group.addTask {
                var portIterator = ports.makeAsyncIterator()
                guard let port = await portIterator.next() else { throw Failure.stopped }
                try await ready(URL(string: "http://127.0.0.1:\(port)/callback")!) { callbackSink.yield($0) }
                var iterator = callbacks.makeAsyncIterator()
                guard let query = await iterator.next() else { throw Failure.stopped }
                return query
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Failure.timedOut(timeout)
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let query = result { return query }
            }
            throw Failure.stopped
        }
    }
}
