import Foundation
import Hummingbird
import Logging

/// Gives every request an id (the caller's `X-Request-Id` when it is a sane token, else a new
/// one), puts it on the logger and the response, and logs one line per request.
///
/// The line holds method, path, status and duration only: never the query string (the OAuth
/// callback carries a code and a state there) and never a header.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = Self.requestID(from: request.headers[.requestID])
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        let started = ContinuousClock.now
        let path = request.uri.path
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = context.requestID
            Self.log(context.logger, request.method, path, response.status.code, since: started)
            return response
        } catch let error as HTTPError {
            Self.log(context.logger, request.method, path, error.status.code, since: started)
            throw error
        }
    }

    private static func log(_ logger: Logger, _ method: HTTPRequest.Method, _ path: String, _ status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info(
            "request", metadata: [
                "method": .string(method.rawValue), "path": .string(path), "status": .stringConvertible(status),
                "ms": .string(String(format: "%.1f", milliseconds)),
            ])
    }

    /// Accepts 1-64 characters of [A-Za-z0-9._-]; anything else could forge log lines.
    static func requestID(from header: String?) -> String {
        if let header, (1...64).contains(header.count),
            header.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) })
        {
            return header
        }
        return UUID().uuidString.lowercased()
    }
}
