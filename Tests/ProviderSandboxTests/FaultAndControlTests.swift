import CRMSyncSupport
import Foundation
import Testing

@testable import ProviderSandbox

@Suite struct FaultAndControlTests {
    @Test func injectedFaultsCarryRetryAfterAndProviderShape() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.google, email: "ann@example.com").access
            let rule = try await api.json(.post, "/_sandbox/faults", [
                "route": "GET /calendar/v3/calendars/*/events", "status": 429, "retryAfter": 7, "times": 1,
            ])
            #expect(rule.status == 201)
            let limited = try await api.json(.get, eventsPath, token: token)
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "7")
            #expect(limited.json["error"]?["errors"]?.array?.first?["reason"]?.string == "rateLimitExceeded")
            #expect(try await api.json(.get, eventsPath, token: token).status == 200)

            let counted = try await api.json(.get, "/_sandbox/requests?route=GET%20/calendar/v3/calendars/*/events")
            #expect(counted.json["count"]?.int == 2)
        }
    }

    @Test func faultsAfterCallsOnGraphAndClearing() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.microsoft, email: "bob@contoso.com").access
            _ = try await api.json(.post, "/_sandbox/faults", ["route": "POST /v1.0/me/events", "status": 503, "afterCalls": 1, "retryAfter": 2])
            #expect(try await api.json(.post, "/v1.0/me/events", token: token, graphEvent("A", day: 1)).status == 201)
            let unavailable = try await api.json(.post, "/v1.0/me/events", token: token, graphEvent("B", day: 2))
            #expect(unavailable.status == 503)
            #expect(unavailable.json["error"]?["code"]?.string == "ServiceUnavailable")
            #expect(unavailable.header("Retry-After") == "2")
            #expect(try await api.json(.delete, "/_sandbox/faults").status == 204)
            #expect(try await api.json(.post, "/v1.0/me/events", token: token, graphEvent("C", day: 3)).status == 201)
        }
    }

    @Test func patternsMatchSegments() {
        #expect(FaultRule.matches("GET /calendar/v3/calendars/*/events", method: "GET", path: "/calendar/v3/calendars/primary/events"))
        #expect(!FaultRule.matches("GET /calendar/v3/calendars/*/events", method: "GET", path: "/calendar/v3/calendars/primary/events/x"))
        #expect(FaultRule.matches("* /v1.0/**", method: "PATCH", path: "/v1.0/me/events/abc"))
        #expect(!FaultRule.matches("POST /token", method: "GET", path: "/token"))
    }

    @Test func resetForgetsEverythingAndIdsAreDeterministic() async throws {
        try await withSandbox { api in
            let control = "/_sandbox/microsoft/users/bob@contoso.com/events"
            let first = try await api.json(.post, control, graphEvent("A", day: 1)).json["id"]
            #expect(try await api.json(.post, "/_sandbox/reset").status == 204)
            #expect(try await api.json(.get, control).json["value"]?.array?.isEmpty == true)
            let again = try await api.json(.post, control, graphEvent("A", day: 1)).json["id"]
            #expect(first == again)
        }
    }

    @Test func sha256MatchesRFC7636Example() {
        #expect(SHA256.pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }
}
