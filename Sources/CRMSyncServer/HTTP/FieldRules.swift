import Foundation

/// The checks of body fields the OpenAPI document also states (`pattern`, `maxLength`), written
/// once so that the server and the document count the same way: lengths in Unicode scalars (as
/// JSON Schema counts code points), blank meaning only White_Space characters (`\s`), control
/// characters being the Cc category.
enum FieldRules {
    /// A calendar id: 1 to 1024 characters, not blank.
    static func isCalendarID(_ value: String) -> Bool {
        value.unicodeScalars.count <= 1024 && value.unicodeScalars.contains { !$0.properties.isWhitespace }
    }

    /// A login hint: at most 320 characters, none of them a control character.
    static func isLoginHint(_ value: String) -> Bool {
        value.unicodeScalars.count <= 320 && !value.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// A mail folder name: 1 to 1000 characters, not blank, none of them a control character.
    static func isFolderName(_ value: String) -> Bool {
        value.unicodeScalars.count <= 1000 && value.unicodeScalars.contains { !$0.properties.isWhitespace }
            && !value.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// An `Idempotency-Key`: 1 to 255 visible ASCII characters (`!` to `~`).
    static func isIdempotencyKey(_ value: String) -> Bool {
        (1...255).contains(value.utf8.count) && value.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }
}
