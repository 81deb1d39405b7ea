import Hummingbird
import Logging
import CRMSyncDatabase

/// Turns every error a handler throws into the API's error shape, with a stable code.
///
/// Errors we did not foresee become a 500 whose body says nothing about the cause; the cause
/// goes to the log with the request id (a database error's description carries no bind value).
struct ErrorResponseMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error, logger: context.logger)
            return try JSONCoding.response(
                ErrorBody(error: .init(code: apiError.code, message: apiError.message)), status: apiError.status,
                requestID: context.requestID)
        }
    }

    static func apiError(for error: any Error, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as HTTPError:
            return Self.apiError(for: error)
        case let error as DatabaseError:
            return Self.apiError(for: error, logger: logger)
        case let error where DatabaseError(classifying: error) != nil:
            return Self.apiError(for: DatabaseError(classifying: error)!, logger: logger)
        default:
            logger.error("request failed", metadata: ["error": "\(error)"])
            return .internalError
        }
    }

    private static func apiError(for error: HTTPError) -> APIError {
        switch error.status {
        case .notFound: return APIError(.notFound, code: "no_route", message: "no such route")
        case .methodNotAllowed: return APIError(.methodNotAllowed, code: "method_not_allowed", message: "method not allowed on this route")
        case .contentTooLarge: return .payloadTooLarge
        case .unsupportedMediaType: return .unsupportedMediaType
        default:
            return APIError(error.status, code: error.status.code < 500 ? "bad_request" : "internal", message: error.status.reasonPhrase)
        }
    }

    /// What the schema refuses on purpose maps to client errors; the rest are ours.
    private static func apiError(for error: DatabaseError, logger: Logger) -> APIError {
        switch error {
        case .unavailable:
            logger.error("database unavailable", metadata: ["error": "\(error)"])
            return .unavailable
        case .refused, .notFound:
            // Refused by a policy or a function's own check: the caller may not see it.
            return .notFound("object")
        case .invalidValue:
            return .badRequest("invalid_value", "a value was not accepted by the database")
        case .alreadyExists:
            return .conflict("already_exists", "an object with the same identity already exists")
        case .retryable:
            return APIError(.serviceUnavailable, code: "retry", message: "the request collided with another one; retry it")
        case .wrongState:
            // 55000: the object changed state under the request (another request got there first).
            return .conflict("wrong_state", "the object is not in a state that allows this")
        case .limitExceeded, .secretKeyMissing, .secretKeyMismatch, .secretKeyTooShort, .rotationKeyMissing, .failed:
            logger.error("database error", metadata: ["error": "\(error)"])
            return .internalError
        }
    }
}

/// `{"error":{"code":…,"message":…}}`
struct ErrorBody: Codable, Sendable {
    struct Detail: Codable, Sendable {
        var code: String
        var message: String
    }

    var error: Detail
}
