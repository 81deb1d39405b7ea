import CRMSyncDatabase
import Foundation
import Hummingbird

/// Guards `/v1`: a verified bearer token names the user, `X-Organization-Id` the organization.
///
/// Membership is not checked here: the database's policies decide what this identity may see,
/// so an organization the user does not belong to simply shows nothing (404s, empty lists).
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    let verifier: CallerTokenVerifier
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            self.metrics.authenticationRefused(reason: "missing")
            throw APIError.unauthenticated("send Authorization: Bearer <token>")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        let user: UUID
        do {
            user = try await self.verifier.userID(fromToken: token)
        } catch {
            self.metrics.authenticationRefused(reason: "invalid")
            context.logger.notice("token refused", metadata: ["reason": "\(error)"])
            throw APIError.unauthenticated(error.description)
        }
        guard let organizationHeader = request.headers[.organizationID] else {
            throw APIError.badRequest("organization_required", "send the active organization in X-Organization-Id")
        }
        guard let organization = UUID(uuidString: organizationHeader) else {
            throw APIError.badRequest("invalid_organization", "X-Organization-Id must be a uuid")
        }
        var context = context
        context.identity = Identity(userID: user, organizationID: organization)
        context.logger[metadataKey: "user"] = .string(user.uuidString.lowercased())
        context.logger[metadataKey: "org"] = .string(organization.uuidString.lowercased())
        return try await next(request, context)
    }
}
