import Hummingbird
import Logging
import PostgresClient

/// Turns every error a handler throws into the API's error shape, with a stable code.
///
/// Errors we did not foresee become a 500 whose body says nothing about the cause; the cause
/// goes to the log with the request id (PostgresError's description carries no bind value).
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
        case let error as PostgresError:
            return Self.apiError(for: error, logger: logger)
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

    /// SQLSTATEs the schema raises on purpose map to client errors; the rest are ours.
    private static func apiError(for error: PostgresError, logger: Logger) -> APIError {
        switch error.kind {
        case .connection, .connectionLost, .pool:
            logger.error("database unavailable", metadata: ["error": "\(error)"])
            return .unavailable
        case .server, .decoding:
            break
        }
        let code = error.code?.rawValue ?? ""
        switch code {
        case "42501", "P0002":
            // Refused by a policy or a function's own check: the caller may not see it.
            return .notFound("object")
        case _ where code.hasPrefix("22"), "23514", "23502":
            return .badRequest("invalid_value", "a value was not accepted by the database")
        case "23505":
            return .conflict("already_exists", "an object with the same identity already exists")
        case "40001", "40P01", "55P03":
            return APIError(.serviceUnavailable, code: "retry", message: "the request collided with another one; retry it")
        default:
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
