import CRMSyncSupport
import Foundation

/// The parts of an HTTP request the sandbox's logic needs, independent of Hummingbird.
struct SandboxRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    /// Header names lower-cased.
    var headers: [String: String]
    var body: Data
    /// `scheme://host[:port]` under which the caller reached the sandbox.
    var baseURL: String
    /// The query as sent, for parameters that repeat (`historyTypes`, `labelIds`).
    var rawQuery: String = ""

    /// Body as a JSON object, or nil.
    var jsonBody: [String: JSONValue]? { JSONValue.parseObject(self.body) }

    /// Body as `application/x-www-form-urlencoded` pairs.
    var formBody: [String: String] { FormEncoding.decode(String(decoding: self.body, as: UTF8.self)) }

    /// Every value of a query parameter, in order.
    func queryValues(_ name: String) -> [String] {
        self.rawQuery.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard FormEncoding.unescape(String(parts[0])) == name else { return nil }
            return parts.count > 1 ? FormEncoding.unescape(String(parts[1])) : ""
        }
    }

    /// A header's value (case-insensitive name).
    func header(_ name: String) -> String? { self.headers[name.lowercased()] }

    /// The bearer token of the `Authorization` header.
    var bearerToken: String? {
        guard let value = self.header("authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }
}
