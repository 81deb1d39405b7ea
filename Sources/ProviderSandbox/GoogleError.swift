import CRMSyncSupport
/// Google's JSON error shape: `{"error":{"errors":[…],"code","message"}}`.
enum GoogleError {
    static func reply(
        _ code: Int, reason: String, message: String, domain: String = "global",
        location: String? = nil, locationType: String? = nil, headers: [(String, String)] = []
    ) -> Reply {
        var item: [String: JSONValue] = ["domain": .string(domain), "reason": .string(reason), "message": .string(message)]
        if let location { item["location"] = .string(location) }
        if let locationType { item["locationType"] = .string(locationType) }
        let body: JSONValue = ["error": ["errors": [.object(item)], "code": .int(code), "message": .string(message)]]
        return .json(code, body, headers: headers)
    }

    /// 401 for a missing, expired or revoked access token.
    static var unauthorized: Reply {
        let message =
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
        let body: JSONValue = [
            "error": [
                "code": 401, "message": .string(message), "status": "UNAUTHENTICATED",
                "errors": [["message": "Invalid Credentials", "domain": "global", "reason": "authError",
                            "location": "Authorization", "locationType": "header"]],
            ]
        ]
        return .json(401, body, headers: [("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"")])
    }

    static func notFound() -> Reply { Self.reply(404, reason: "notFound", message: "Not Found") }

    static func deleted() -> Reply { Self.reply(410, reason: "deleted", message: "Resource has been deleted") }

    static func conditionNotMet() -> Reply {
        Self.reply(412, reason: "conditionNotMet", message: "Precondition Failed", location: "If-Match", locationType: "header")
    }

    static func fullSyncRequired() -> Reply {
        Self.reply(
            410, reason: "fullSyncRequired", message: "Sync token is no longer valid, a full sync is required.",
            domain: "calendar", location: "syncToken", locationType: "parameter")
    }

    static func invalid(_ message: String, parameter: String? = nil) -> Reply {
        Self.reply(400, reason: "invalid", message: message, location: parameter, locationType: parameter == nil ? nil : "parameter")
    }

    static func required(_ message: String) -> Reply { Self.reply(400, reason: "required", message: message) }

    static func badRequest(_ message: String) -> Reply { Self.reply(400, reason: "badRequest", message: message) }
}
