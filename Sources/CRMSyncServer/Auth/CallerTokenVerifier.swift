import CRMSyncDatabase
import Foundation
import JWTKit

/// Verifies a caller's bearer token: signature (HS256 shared secret, or RS256/ES256 keys from
/// a JWKS), expiry, not-before and audience; returns the user id from `sub`.
///
/// Unsigned tokens (`alg: none`) are never accepted: no key of the collection verifies them.
public struct CallerTokenVerifier: Sendable {
    /// Why a token was refused. Descriptions never include the token.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case malformedOrBadSignature
        case expired
        case notYetValid
        case wrongAudience
        case subjectNotAUUID

        public var description: String {
            switch self {
            case .malformedOrBadSignature: "the token is malformed or its signature does not verify"
            case .expired: "the token has expired"
            case .notYetValid: "the token is not valid yet"
            case .wrongAudience: "the token is not meant for this service (audience)"
            case .subjectNotAUUID: "the token's subject is not a user id"
            }
        }
    }

    /// The HS256 secret and the JWKS keys apart, so a token is verified only by a key of the
    /// algorithm its header names.
    private let hmacKeys: JWTKeyCollection?
    private let jwksKeys: JWTKeyCollection?
    /// Accepted `aud` values; a token must name at least one.
    public let audiences: [String]
    /// Clock skew tolerated on `exp` and `nbf`.
    public let leeway: TimeInterval
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - hmacSecret: the HS256 shared secret (Supabase's JWT secret), if tokens are signed so.
    ///   - jwksJSON: a JSON Web Key Set with RS256/ES256 public keys, if tokens are signed so.
    public init(
        hmacSecret: String?, jwksJSON: String?, audiences: [String], leeway: TimeInterval = 30,
        now: @escaping @Sendable () -> Date = Date.init
    ) async throws {
        if let hmacSecret {
            let keys = JWTKeyCollection()
            await keys.add(hmac: HMACKey(from: hmacSecret), digestAlgorithm: .sha256)
            self.hmacKeys = keys
        } else {
            self.hmacKeys = nil
        }
        if let jwksJSON {
            let keys = JWTKeyCollection()
            try await keys.add(jwksJSON: jwksJSON)
            self.jwksKeys = keys
        } else {
            self.jwksKeys = nil
        }
        self.audiences = audiences
        self.leeway = leeway
        self.now = now
    }

    /// The verified user id of `token`.
    public func userID(fromToken token: String) async throws(Failure) -> UUID {
        // The header decides which keys may verify: HS256 only the shared secret, RS256/ES256
        // only the JWKS. Any other `alg` (none, a typo, none at all) and any `crit` extension
        // (we implement none) are refused before a signature is checked.
        guard let header = Self.header(of: token), header.crit == nil, let alg = header.alg else {
            throw .malformedOrBadSignature
        }
        let keys: JWTKeyCollection?
        switch alg {
        case "HS256": keys = self.hmacKeys
        case "RS256", "ES256": keys = self.jwksKeys
        default: keys = nil
        }
        guard let keys else { throw .malformedOrBadSignature }
        let claims: CallerClaims
        do {
            claims = try await keys.verify(token, as: CallerClaims.self)
        } catch {
            throw .malformedOrBadSignature
        }
        let now = self.now()
        guard claims.exp.value.addingTimeInterval(self.leeway) > now else { throw .expired }
        if let nbf = claims.nbf, nbf.value.addingTimeInterval(-self.leeway) > now { throw .notYetValid }
        guard let aud = claims.aud, aud.value.contains(where: self.audiences.contains) else { throw .wrongAudience }
        guard let user = UUID(uuidString: claims.sub.value) else { throw .subjectNotAUUID }
        return user
    }

    private struct Header: Decodable {
        var alg: String?
        var crit: [String]?
    }

    /// The token's JOSE header, or nil when it is not a base64url JSON object.
    private static func header(of token: String) -> Header? {
        guard let first = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var text = first.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: text) else { return nil }
        return try? JSONDecoder().decode(Header.self, from: data)
    }
}
