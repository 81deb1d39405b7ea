import Foundation

/// base64url (RFC 4648 §5) as OAuth (PKCE, state), Gmail's `raw` and push secrets use it:
/// encoded without padding; decoding accepts missing padding and the standard alphabet.
public enum Base64URL {
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> Data? {
        var value = text.filter { !$0.isWhitespace }.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while value.count % 4 != 0 { value += "=" }
        return Data(base64Encoded: value)
    }

    /// `count` bytes from the system's secure generator, encoded (32 bytes: 43 characters).
    public static func randomToken(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return Self.encode((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
