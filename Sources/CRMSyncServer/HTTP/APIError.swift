import HTTPTypes

/// An error the API reports to its caller as `{"error":{"code":…,"message":…}}`.
///
/// Codes are stable (clients switch on them); messages are for people and never carry a
/// secret, a bind value or another tenant's data.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String

    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.status.code) \(self.code): \(self.message)" }

    public static func badRequest(_ code: String, _ message: String) -> APIError {
        APIError(.badRequest, code: code, message: message)
    }

    public static func unauthenticated(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthenticated", message: message)
    }

    /// Used alike for "does not exist", "another tenant's" and "another user's": no existence leak.
    public static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) not found")
    }

    public static func conflict(_ code: String, _ message: String) -> APIError {
        APIError(.conflict, code: code, message: message)
    }

    public static let payloadTooLarge = APIError(
        .contentTooLarge, code: "payload_too_large", message: "the request body is larger than this service accepts")
    public static let unsupportedMediaType = APIError(
        .unsupportedMediaType, code: "unsupported_media_type", message: "the request body must be application/json")
    public static let unavailable = APIError(
        .serviceUnavailable, code: "unavailable", message: "the service cannot reach its database; try again shortly")
    public static let internalError = APIError(
        .internalServerError, code: "internal", message: "the request failed inside crmsync; it has been logged")
}
