/// Tells HTML descriptions from plain text where the provider does not say (Google).
enum HTMLDetector {
    static let tags = ["<br", "<p>", "<p ", "</p>", "<a ", "</a>", "<b>", "</b>", "<i>", "<u>", "<ul>", "<ol>", "<li>",
                       "<div", "</div>", "<span", "<html", "<body", "<strong>", "<em>", "<table", "<h1", "<h2", "<h3"]

    /// True when the text contains a common HTML tag.
    static func looksLikeHTML(_ text: String?) -> Bool {
        guard let text = text?.lowercased(), text.contains("<") else { return false }
        return self.tags.contains { text.contains($0) }
    }
}
