import CRMSyncSupport
import Foundation

/// What a sandbox handler answers, before it becomes a Hummingbird `Response`.
struct Reply: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: Data

    init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON reply with `Content-Type: application/json; charset=UTF-8`.
    static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> Reply {
        Reply(
            status: status,
            headers: [("Content-Type", "application/json; charset=UTF-8")] + headers,
            body: value.encoded()
        )
    }

    /// An empty 204.
    static var noContent: Reply { Reply(status: 204) }

    /// A 302 to `location`.
    static func redirect(_ location: String) -> Reply {
        Reply(status: 302, headers: [("Location", location)])
    }

    /// Adds a header.
    func adding(_ name: String, _ value: String) -> Reply {
        var copy = self
        copy.headers.append((name, value))
        return copy
    }
}
