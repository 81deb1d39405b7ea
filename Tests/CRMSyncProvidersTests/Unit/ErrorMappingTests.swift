import Foundation
import Testing
@testable import CRMSyncProviders

@Suite struct ErrorMappingTests {
    func classify(_ status: Int, _ body: String, _ context: RequestContext = .target) -> ErrorDisposition {
        ErrorClassifier.classify(status: status, body: Data(body.utf8), retryAfter: nil, context: context)
    }

    @Test func googleTable() {
        let fullSync = #"{"error":{"errors":[{"domain":"calendar","reason":"fullSyncRequired","message":"Sync token is no longer valid, a full sync is required.","locationType":"parameter","location":"syncToken"}],"code":410,"message":"Sync token is no longer valid, a full sync is required."}}"#
        #expect(self.classify(410, fullSync, .listing) == .fail(.cursorExpired))
        #expect(self.classify(412, #"{"error":{"errors":[{"domain":"global","reason":"conditionNotMet"}],"code":412}}"#) == .fail(.conflict))
        #expect(self.classify(404, #"{"error":{"errors":[{"reason":"notFound"}],"code":404}}"#) == .fail(.gone))
        #expect(self.classify(410, #"{"error":{"errors":[{"reason":"deleted"}],"code":410}}"#) == .fail(.gone))
        for reason in ["rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"] {
            #expect(self.classify(403, #"{"error":{"errors":[{"reason":"\#(reason)"}],"code":403}}"#) == .retry(retryAfter: nil))
        }
        #expect(self.classify(403, #"{"error":{"errors":[{"reason":"forbidden"}],"code":403,"message":"Forbidden"}}"#)
            == .fail(.rejected(status: 403, reason: "forbidden", message: "Forbidden")))
        #expect(self.classify(401, #"{"error":{"errors":[{"reason":"authError"}],"code":401}}"#) == .refreshToken)
        for status in [429, 500, 502, 503, 504] {
            #expect(self.classify(status, "") == .retry(retryAfter: nil))
        }
        #expect(self.classify(409, #"{"error":{"errors":[{"reason":"duplicate"}],"code":409}}"#)
            == .fail(.rejected(status: 409, reason: "duplicate", message: nil)))
    }

    @Test func graphTable() {
        for code in ["syncStateNotFound", "SyncStateNotFound", "resyncRequired", "ResyncRequired"] {
            #expect(self.classify(410, #"{"error":{"code":"\#(code)","message":"x"}}"#, .listing) == .fail(.cursorExpired))
            #expect(self.classify(400, #"{"error":{"code":"\#(code)","message":"x"}}"#, .listing) == .fail(.cursorExpired))
        }
        #expect(self.classify(412, #"{"error":{"code":"ErrorIrresolvableConflict","message":"x"}}"#) == .fail(.conflict))
        #expect(self.classify(404, #"{"error":{"code":"ErrorItemNotFound","message":"x"}}"#) == .fail(.gone))
        #expect(self.classify(429, #"{"error":{"code":"ApplicationThrottled"}}"#) == .retry(retryAfter: nil))
        #expect(self.classify(400, #"{"error":{"code":"ErrorInvalidRequest","message":"bad"}}"#)
            == .fail(.rejected(status: 400, reason: "ErrorInvalidRequest", message: "bad")))
    }

    @Test func oauthTable() {
        for code in ["invalid_grant", "invalid_scope"] {
            #expect(self.classify(400, #"{"error":"\#(code)","error_description":"x"}"#, .oauth) == .fail(.reconnectRequired(reason: code)))
        }
        // The client itself refused: the operator's problem, not the account's.
        for code in ["invalid_client", "unauthorized_client"] {
            #expect(self.classify(400, #"{"error":"\#(code)","error_description":"x"}"#, .oauth) == .fail(.clientRejected(reason: code)))
        }
        #expect(self.classify(401, #"{"error":"invalid_client"}"#, .oauth) == .fail(.clientRejected(reason: "invalid_client")))
        let aad = #"{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity.","error_codes":[700082]}"#
        #expect(self.classify(400, aad, .oauth) == .fail(.reconnectRequired(reason: "invalid_grant (AADSTS700082)")))
        let expiredSecret = #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}"#
        #expect(self.classify(401, expiredSecret, .oauth) == .fail(.clientRejected(reason: "invalid_client (AADSTS7000215)")))
        #expect(self.classify(400, #"{"error":"invalid_request","error_description":"missing code"}"#, .oauth)
            == .fail(.rejected(status: 400, reason: "invalid_request", message: "missing code")))
        #expect(self.classify(503, "", .oauth) == .retry(retryAfter: nil))
    }

    @Test func descriptionsCarryNoProviderText() {
        let error = ProviderError.rejected(status: 400, reason: "invalid_request", message: "code 4/0AX-secret was bad")
        #expect(!error.description.contains("secret"))
        #expect(error.debugDescription.contains("4/0AX"))
        let tokens = TokenSet(accessToken: "ya29.secret", refreshToken: "1//refresh", expiresAt: Date(), scope: nil)
        #expect(!tokens.description.contains("ya29") && !String(reflecting: tokens).contains("1//refresh"))
        #expect(!OAuthCredentials(clientId: "id", clientSecret: "shh").description.contains("shh"))
    }
}
