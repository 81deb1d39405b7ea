import Foundation
import JWTKit

/// The claims crmsync reads from a caller's token (Supabase issues them in this shape).
///
/// `verify(using:)` checks only what needs no configuration; `CallerTokenVerifier` checks
/// time and audience against its own clock and settings.
struct CallerClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim?
    var aud: AudienceClaim?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
