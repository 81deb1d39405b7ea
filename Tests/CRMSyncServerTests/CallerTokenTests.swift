import CRMSyncProviders
import CRMSyncServer
import CRMSyncSupport
import CRMSyncTestSupport
import Foundation
import JWTKit
import Testing

/// Bearer tokens the server must refuse (401, nothing read, nothing changed), and the ones it
/// must accept: HS256 with the shared secret, ES256 with a key from the JWKS.
@Suite("Caller tokens: expired, not yet valid, wrong key, wrong audience, alg none, malformed")
struct CallerTokenTests {
    static let accounts = "/v1/calendar/accounts"

    @Test("refused tokens answer 401 with code unauthenticated")
    func refusesBadTokens() async throws {
        try await ServerHarness.with("jwt_refused") { harness in
            let now = harness.clock.now()
            let valid = try await harness.token(for: Demo.alice)
            let segments = valid.split(separator: ".").map(String.init)
            // alg "none": the valid claims, an unsigned header, no signature.
            let noneHeader = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64URLEncoded()
            let tokens: [(String, String)] = [
                ("expired", try await harness.token(for: Demo.alice, expiresIn: -120)),
                ("not yet valid", try await harness.token(for: Demo.alice, notBefore: now.addingTimeInterval(600))),
                ("wrong audience", try await harness.token(for: Demo.alice, audience: "some-other-api")),
                ("wrong key", try await harness.token(for: Demo.alice, secret: "an-attacker-s-own-secret-0123456789abcdef")),
                ("alg none", "\(noneHeader).\(segments[1])."),
                ("alg none with signature", "\(noneHeader).\(segments[1]).\(segments[2])"),
                ("tampered payload", "\(segments[0]).\(Data(#"{"sub":"\#(Demo.bob.uuidString)","aud":"authenticated","exp":9999999999}"#.utf8).base64URLEncoded()).\(segments[2])"),
                ("garbage", "not-a-jwt"),
                ("empty", ""),
            ]
            let before = try await harness.fingerprint()
            for (name, token) in tokens {
                let response = try await harness.api("GET", Self.accounts, as: Demo.alice, in: Demo.acme, token: token)
                #expect(response.status == 401, "\(name)")
                #expect(AccountAPITests.errorCode(response) == "unauthenticated", "\(name)")
                if !token.isEmpty {
                    #expect(!String(decoding: response.body, as: UTF8.self).contains(token), "\(name): the token is echoed")
                }
                let write = try await harness.api(
                    "PATCH", "\(Self.accounts)/\(Demo.aliceCalendar.uuidString)", as: Demo.alice, in: Demo.acme,
                    json: ["sync_enabled": false], token: token)
                #expect(write.status == 401, "\(name) (write)")
            }
            let missing = try await harness.send("GET", Self.accounts, headers: ["X-Organization-Id": Demo.acme.uuidString])
            #expect(missing.status == 401)
            let basic = try await harness.send(
                "GET", Self.accounts, headers: ["Authorization": "Basic YWxpY2U6cHc=", "X-Organization-Id": Demo.acme.uuidString])
            #expect(basic.status == 401)
            #expect(try await harness.fingerprint() == before)

            // Within the leeway (30 s) a just-expired token still passes; the valid one does.
            let fresh = try await harness.api("GET", Self.accounts, as: Demo.alice, in: Demo.acme, token: valid)
            #expect(fresh.status == 200)
            let justExpired = try await harness.token(for: Demo.alice, expiresIn: -5)
            #expect(try await harness.api("GET", Self.accounts, as: Demo.alice, in: Demo.acme, token: justExpired).status == 200)
        }
    }

    @Test("a valid HS256 signature under a header naming another alg, no alg, or a crit extension is refused")
    func headerMustMatchTheKey() async throws {
        try await ServerHarness.with("jwt_alg") { harness in
            let valid = try await harness.token(for: Demo.alice)
            let payload = String(valid.split(separator: ".")[1])
            /// Signed with the server's own secret: only the header lies.
            func signed(_ header: String) -> String {
                let input = Data(header.utf8).base64URLEncoded() + "." + payload
                let signature = Self.hmacSHA256(key: Array(ServerHarness.jwtSecret.utf8), message: Array(input.utf8))
                return input + "." + Data(signature).base64URLEncoded()
            }
            // The check itself: the same signing with the true header is accepted.
            let honest = try await harness.api(
                "GET", Self.accounts, as: Demo.alice, in: Demo.acme, token: signed(#"{"alg":"HS256","typ":"JWT"}"#))
            #expect(honest.status == 200)
            let headers = [
                #"{"alg":"none","typ":"JWT"}"#, #"{"alg":"RS256","typ":"JWT"}"#, #"{"alg":"ES256","typ":"JWT"}"#,
                #"{"alg":"xyz","typ":"JWT"}"#, #"{"typ":"JWT"}"#, #"{"alg":"HS256","typ":"JWT","crit":["exp"]}"#,
            ]
            for header in headers {
                let response = try await harness.api("GET", Self.accounts, as: Demo.alice, in: Demo.acme, token: signed(header))
                #expect(response.status == 401, "\(header)")
                #expect(AccountAPITests.errorCode(response) == "unauthenticated", "\(header)")
            }
        }
    }

    /// HMAC-SHA256 (RFC 2104), to sign tokens whose header jwt-kit would not write.
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? CRMSyncSupport.SHA256.hash(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = CRMSyncSupport.SHA256.hash(block.map { $0 ^ 0x36 } + message)
        return CRMSyncSupport.SHA256.hash(block.map { $0 ^ 0x5c } + inner)
    }

    @Test("ES256 tokens verify against a JWKS; a key outside the set is refused")
    func acceptsJWKSKeys() async throws {
        let trusted = ES256PrivateKey()
        let untrusted = ES256PrivateKey()
        let parameters = try #require(trusted.publicKey.parameters)
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"crm-1","alg":"ES256","use":"sig","x":"\#(parameters.x)","y":"\#(parameters.y)"}]}"#
        try await ServerHarness.with("jwt_jwks", configure: { $0.jwt = .init(hmacSecret: nil, jwksJSON: jwks) }) { harness in
            func sign(with key: ES256PrivateKey) async throws -> String {
                let keys = JWTKeyCollection()
                await keys.add(ecdsa: key, kid: "crm-1")
                return try await keys.sign(
                    TestClaims(
                        sub: .init(value: Demo.alice.uuidString), exp: .init(value: Date().addingTimeInterval(600)), nbf: nil,
                        aud: .init(value: ["authenticated"]), role: "authenticated"), kid: "crm-1")
            }
            let good = try await harness.api("GET", Self.accounts, as: Demo.alice, in: Demo.acme, token: try await sign(with: trusted))
            #expect(good.status == 200)
            let bad = try await harness.api("GET", Self.accounts, as: Demo.alice, in: Demo.acme, token: try await sign(with: untrusted))
            #expect(bad.status == 401)
            // An HS256 token is meaningless to a server that only trusts the JWKS.
            let hmac = try await harness.api("GET", Self.accounts, as: Demo.alice, in: Demo.acme, token: try await harness.token(for: Demo.alice))
            #expect(hmac.status == 401)
        }
    }
}

extension Data {
    func base64URLEncoded() -> String {
        self.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
