import CRMSyncSupport
import Foundation

/// The secret a push channel carries (Google's channel token, Graph's clientState): random,
/// given to the provider once, stored only as its sha256.
public struct PushSecret: Sendable {
    let value: String

    /// 32 random bytes, base64url without padding (43 characters; Graph allows 128).
    static func random() -> PushSecret {
        PushSecret(value: Base64URL.randomToken())
    }

    /// sha256 of a presented or generated secret.
    static func hash(_ text: String) -> [UInt8] {
        SHA256.hash(Array(text.utf8))
    }

    var hash: [UInt8] { Self.hash(self.value) }

    /// Whether `presented` is the secret whose digest is `stored`, in constant time.
    public static func matches(_ presented: String?, stored: [UInt8]) -> Bool {
        guard let presented else { return false }
        return ConstantTime.equal(Self.hash(presented), stored)
    }
}
