import CRMSyncSupport
import Foundation

/// Microsoft Graph's JSON error shape: `{"error":{"code","message","innerError":{…}}}`.
enum GraphError {
    static func reply(_ status: Int, code: String, message: String, now: Date, requestId: String, headers: [(String, String)] = []) -> Reply {
        let inner: JSONValue = [
            "date": .string(RFC3339.format(now, fractionalDigits: 0)), "request-id": .string(requestId),
            "client-request-id": .string(requestId),
        ]
        let body: JSONValue = ["error": ["code": .string(code), "message": .string(message), "innerError": inner]]
        return .json(status, body, headers: headers + [("request-id", requestId)])
    }
}
