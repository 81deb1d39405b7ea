import Foundation

/// OAuth token-endpoint errors in each provider's shape.
enum OAuthError {
    /// Google: `{"error","error_description"}`.
    static func google(_ status: Int, _ error: String, _ description: String) -> Reply {
        .json(status, ["error": .string(error), "error_description": .string(description)])
    }

    /// Microsoft: `{"error","error_description":"AADSTSnnnn: …","error_codes":[n],…}`.
    static func microsoft(_ status: Int, _ error: String, code: Int, _ description: String, now: Date, traceId: String) -> Reply {
        .json(status, [
            "error": .string(error),
            "error_description": .string("AADSTS\(code): \(description) Trace ID: \(traceId) Timestamp: \(RFC3339.format(now, fractionalDigits: 0))"),
            "error_codes": [.int(code)],
            "timestamp": .string(RFC3339.format(now, fractionalDigits: 0)),
            "trace_id": .string(traceId),
            "correlation_id": .string(traceId),
            "error_uri": .string("https://login.microsoftonline.com/error?code=\(code)"),
        ])
    }
}
