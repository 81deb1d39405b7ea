import Foundation
import Hummingbird
import NIOCore

/// One request a test receiver got.
struct ReceivedRequest: Sendable {
    /// Header names lower-cased.
    var headers: [String: String]
    var query: [String: String]
    var body: Data
}

/// What a test receiver has been sent.
actor Inbox {
    private(set) var requests: [ReceivedRequest] = []

    func append(_ request: ReceivedRequest) { self.requests.append(request) }

    /// Waits (at most `seconds`) until `count` requests arrived; returns what is there.
    func wait(for count: Int, seconds: Double = 5) async -> [ReceivedRequest] {
        let deadline = Date().addingTimeInterval(seconds)
        while self.requests.count < count && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return self.requests
    }
}

/// How a receiver answers Graph's validation request.
enum ValidationAnswer: Sendable { case echo, wrongBody }

/// Runs a tiny Hummingbird receiver on a free loopback port during `body`.
func withReceiver(_ answer: ValidationAnswer = .echo, _ body: @escaping @Sendable (String, Inbox) async throws -> Void) async throws {
    let inbox = Inbox()
    let router = Router()
    router.post("/hook") { request, _ -> Response in
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { a, _ in a })
        let data = try await request.body.collect(upTo: 1 << 20)
        await inbox.append(ReceivedRequest(headers: headers, query: query, body: Data(data.readableBytesView)))
        if let token = query["validationToken"] {
            let text = answer == .echo ? token : "not the token"
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        return Response(status: .accepted)
    }
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        try await body("http://127.0.0.1:\(port)/hook", inbox)
        group.cancelAll()
    }
}
