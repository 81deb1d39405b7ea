import Foundation

/// HTML descriptions and their plain text.
///
/// The CRM holds an appointment's description as plain text. Google's `description` may be
/// HTML (its web client writes HTML) and Graph bodies are HTML unless text is asked for, so
/// the text the CRM gets is the HTML's text; the event keeps its HTML as long as the CRM does
/// not change that text (updates send the description only when it differs).
public enum HTMLText {
    static let tags = ["<br", "<p>", "<p ", "</p>", "<a ", "</a>", "<b>", "</b>", "<i>", "<u>", "<ul>", "<ol>", "<li>",
                       "<div", "</div>", "<span", "<html", "<body", "<strong>", "<em>", "<table", "<h1", "<h2", "<h3"]

    /// True when the text contains a common HTML tag (Google does not say which it is).
    public static func looksLikeHTML(_ text: String?) -> Bool {
        guard let text = text?.lowercased(), text.contains("<") else { return false }
        return self.tags.contains { text.contains($0) }
    }

    /// The text an HTML fragment or document shows: line breaks for `<br>` and block ends,
    /// tags removed, entities decoded, blank runs squeezed, ends trimmed.
    public static func plainText(_ html: String) -> String {
        // Source line breaks are not breaks in HTML; tags say where lines end.
        var text = html.replacingOccurrences(of: "\\s*[\\r\\n]+\\s*", with: " ", options: .regularExpression)
        for element in ["head", "style", "script", "title"] {
            text = text.replacingOccurrences(
                of: "<\(element)\\b[^>]*>.*?</\(element)\\s*>", with: "", options: [.regularExpression, .caseInsensitive])
        }
        text = text.replacingOccurrences(of: "<br\\s*/?>", with: "\n", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(
            of: "</(p|div|li|tr|h[1-6]|ul|ol|table|blockquote)\\s*>", with: "\n", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "<!--.*?-->", with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
        text = self.decodeEntities(text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.replacingOccurrences(of: "[ \\t\u{00A0}]+", with: " ", options: .regularExpression).trimmingCharacters(in: .whitespaces) }
        text = lines.joined(separator: "\n").replacingOccurrences(of: "\n{3,}", with: "\n\n", options: .regularExpression)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}"]

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            output += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(10).firstIndex(of: ";") {
                let name = String(after[..<semi])
                var decoded: String?
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if name.hasPrefix("#") {
                    decoded = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else {
                    decoded = self.named[name.lowercased()]
                }
                if let decoded {
                    output += decoded
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            output += "&"
            rest = after
        }
        return output + rest
    }
}
