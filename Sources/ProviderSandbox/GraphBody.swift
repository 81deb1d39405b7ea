import CRMSyncSupport
import Foundation

/// Graph's item bodies as a reader asked for them: Graph stores a body as written and returns
/// it as HTML unless `Prefer: outlook.body-content-type="text"` asks for text, converting
/// either way (a text body comes back wrapped in an HTML document, an HTML body as its text).
enum GraphBody {
    /// `body` rendered as `contentType` (`html` or `text`).
    static func render(_ body: JSONValue?, as contentType: String) -> JSONValue? {
        guard let body else { return nil }
        let stored = body["contentType"]?.string?.lowercased() ?? "text"
        let content = body["content"]?.string ?? ""
        guard stored != contentType else { return ["contentType": .string(contentType), "content": .string(content)] }
        let converted = contentType == "html" ? self.html(fromText: content) : self.text(fromHTML: content)
        return ["contentType": .string(contentType), "content": .string(converted)]
    }

    /// A text body as the HTML document Outlook makes of it.
    static func html(fromText text: String) -> String {
        let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "<br>\r\n")
        return "<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n</head>\r\n"
            + "<body>\r\n<div>" + escaped + "</div>\r\n</body>\r\n</html>\r\n"
    }

    /// The text of an HTML body: breaks and block ends become line breaks, tags go, the
    /// common entities are decoded.
    static func text(fromHTML html: String) -> String {
        var text = html.replacingOccurrences(of: "[\r\n]+", with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: "<head[^>]*>.*?</head>", with: "", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "<style[^>]*>.*?</style>", with: "", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "<br\\s*/?>", with: "\r\n", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "</(p|div|li|h[1-6])>", with: "\r\n", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
        for (entity, character) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
