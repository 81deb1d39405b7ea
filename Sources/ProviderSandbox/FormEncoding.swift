import Foundation

/// `application/x-www-form-urlencoded`, used by the OAuth endpoints and query strings.
enum FormEncoding {
    /// Decodes `a=b&c=d` ('+' is a space); the first occurrence of a name wins.
    static func decode(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.unescape(String(parts[0]))
            let value = parts.count > 1 ? Self.unescape(String(parts[1])) : ""
            if result[name] == nil { result[name] = value }
        }
        return result
    }

    /// Encodes pairs in the given order.
    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
    }

    static func unescape(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Appends query pairs to a URL that may already have a query.
    static func append(_ pairs: [(String, String)], to url: String) -> String {
        let separator = url.contains("?") ? "&" : "?"
        return url + separator + Self.encode(pairs)
    }
}
