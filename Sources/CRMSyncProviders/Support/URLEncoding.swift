import Foundation

/// Strict percent-encoding for query strings, forms and path segments (RFC 3986 unreserved
/// characters only stay as they are), so tokens containing `+`, `/` or `=` survive.
enum URLEncoding {
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    static let pathSegment = unreserved.union(CharacterSet(charactersIn: "@:!$&'()*+,;="))

    static func component(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: self.unreserved) ?? value
    }

    static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: self.pathSegment) ?? value
    }

    /// `a=1&b=2`, in the given order.
    static func query(_ items: [(String, String)]) -> String {
        items.map { "\(self.component($0.0))=\(self.component($0.1))" }.joined(separator: "&")
    }

    /// `url` with `items` as its query (replacing any).
    static func url(_ base: URL, path: [String] = [], query items: [(String, String)] = []) -> URL {
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        for segment in path { text += "/" + self.segment(segment) }
        if !items.isEmpty { text += "?" + self.query(items) }
        return URL(string: text) ?? base
    }

    /// The query of `url` as ordered pairs, decoded.
    static func queryItems(of url: URL) -> [(String, String)] {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (name, value)
        }
    }

    /// True when both URLs have the same scheme, host and port.
    static func sameOrigin(_ lhs: URL, _ rhs: URL) -> Bool {
        lhs.scheme?.lowercased() == rhs.scheme?.lowercased() && lhs.host?.lowercased() == rhs.host?.lowercased()
            && (lhs.port ?? Self.defaultPort(lhs)) == (rhs.port ?? Self.defaultPort(rhs))
    }

    private static func defaultPort(_ url: URL) -> Int { url.scheme?.lowercased() == "http" ? 80 : 443 }
}
