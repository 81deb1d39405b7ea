import Foundation
import Hummingbird

/// A request the router has no route for, on a path that does exist with other methods, is a
/// 405 `method_not_allowed` with an `Allow` header (RFC 9110 §15.5.6), not a 404. The paths and
/// their methods come from the OpenAPI document the server serves (which the tests compare
/// with the router), so the two cannot drift apart.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    /// One documented path: its segments (`nil` for a `{parameter}`) and its methods.
    struct Route: Sendable {
        var segments: [String?]
        var methods: [String]

        func matches(_ path: [Substring]) -> Bool {
            guard path.count == self.segments.count else { return false }
            return zip(self.segments, path).allSatisfy { segment, part in segment.map { $0 == part } ?? !part.isEmpty }
        }
    }

    let routes: [Route]

    /// The routes of the served OpenAPI document (none when it cannot be read).
    init(document: Data? = try? OpenAPIDocument.data()) {
        let paths = document.flatMap { (try? JSONSerialization.jsonObject(with: $0)) as? [String: Any] }?["paths"] as? [String: Any] ?? [:]
        let verbs = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        self.routes = paths.compactMap { path, item in
            guard let item = item as? [String: Any] else { return nil }
            let methods = verbs.filter { item[$0] != nil }.map { $0.uppercased() }
            let segments = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
            return methods.isEmpty ? nil : Route(segments: segments, methods: methods)
        }
        // A literal segment wins over a parameter (`…/accounts/connect` before `…/accounts/{account}`).
        .sorted { $0.segments.compactMap { $0 }.count > $1.segments.compactMap { $0 }.count }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path.split(separator: "/")
            guard let route = self.routes.first(where: { $0.matches(path) }), !route.methods.contains(request.method.rawValue) else {
                throw error
            }
            var response = try JSONCoding.response(
                ErrorBody(error: .init(code: "method_not_allowed", message: "method not allowed on this route")), status: .methodNotAllowed,
                requestID: context.requestID)
            response.headers[.allow] = route.methods.joined(separator: ", ")
            return response
        }
    }
}
