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

    private let keys: JWTKeyCollection
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
        let keys = JWTKeyCollection()
        if let hmacSecret {
            await keys.add(hmac: HMACKey(from: hmacSecret), digestAlgorithm: .sha256)
        }
        if let jwksJSON {
            try await keys.add(jwksJSON: jwksJSON)
        }
        self.keys = keys
        self.audiences = audiences
        self.leeway = leeway
        self.now = now
    }

    /// The verified user id of `token`.
    public func userID(fromToken token: String) async throws(Failure) -> UUID {
        let claims: CallerClaims
        do {
            claims = try await self.keys.verify(token, as: CallerClaims.self)
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
}
