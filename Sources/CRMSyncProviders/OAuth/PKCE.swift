import CRMSyncSupport
import Foundation

/// A PKCE pair (RFC 7636): a random verifier and its S256 challenge.
public struct PKCE: Sendable, Hashable, CustomStringConvertible {
    /// The verifier, kept by the client and sent with the code exchange. Secret until then.
    public let verifier: String
    /// `BASE64URL(SHA256(verifier))`, sent in the authorization URL.
    public var challenge: String { Self.challenge(for: self.verifier) }
    /// Always `S256`.
    public var method: String { "S256" }

    /// Uses a given verifier (43–128 unreserved characters); nil when it is not valid.
    public init?(verifier: String) {
        guard (43...128).contains(verifier.count),
              verifier.unicodeScalars.allSatisfy({ URLEncoding.unreserved.contains($0) })
        else { return nil }
        self.verifier = verifier
    }

    /// A new pair from 48 random bytes (a 64-character verifier).
    public static func generate() -> PKCE {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<48).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return PKCE(verifier: Base64URL.encode(bytes))!
    }

    /// The S256 challenge of a verifier.
    public static func challenge(for verifier: String) -> String {
        SHA256.pkceChallenge(verifier)
    }

    public var description: String { "PKCE(S256, verifier ****)" }
}
