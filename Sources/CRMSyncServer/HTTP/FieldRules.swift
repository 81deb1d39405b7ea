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
}
