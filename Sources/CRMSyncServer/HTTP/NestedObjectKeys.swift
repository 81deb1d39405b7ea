import Foundation

/// Nested objects of a request body refuse unknown keys as the body itself does
/// (`JSONRequestBody.fields`): a misspelt `content_type` must not be silently ignored.
enum NestedObjectKeys {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Throws a `DecodingError` (a 400 `invalid_field` naming the key) for a key not in `known`.
    static func refuseUnknown(in decoder: any Decoder, known: Set<String>) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [unknown], debugDescription: "unknown field"))
        }
    }
}
