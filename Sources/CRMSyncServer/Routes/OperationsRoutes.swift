import Foundation
import Hummingbird
import NIOCore
import CRMSyncDatabase

/// `/healthz` (the process answers), `/readyz` (database reachable, schema current),
/// `/metrics` (Prometheus text format) and `/openapi.json` (the API's description).
struct OperationsRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on router: Router<ServerRequestContext>) {
        router.get("healthz") { _, _ in
            try JSONCoding.response(["status": "ok"])
        }
        router.get("readyz", use: self.ready)
        router.get("metrics", use: self.metrics)
        router.get("openapi.json", use: self.openAPI)
    }

    struct Readiness: Encodable {
        var status: String
        var database: String
        var pendingMigrations: [String]

        enum CodingKeys: String, CodingKey {
            case status, database
            case pendingMigrations = "pending_migrations"
        }
    }

    @Sendable func ready(_ request: Request, context: ServerRequestContext) async throws -> Response {
        do {
            let pending = try await self.dependencies.migrations.pending(in: self.dependencies.database)
            let ready = pending.isEmpty
            return try JSONCoding.response(
                Readiness(status: ready ? "ready" : "not_ready", database: "ok", pendingMigrations: pending),
                status: ready ? .ok : .serviceUnavailable)
        } catch {
            context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
            return try JSONCoding.response(
                Readiness(status: "not_ready", database: "unreachable", pendingMigrations: []), status: .serviceUnavailable)
        }
    }

    @Sendable func metrics(_ request: Request, context: ServerRequestContext) async throws -> Response {
        // The due-account gauge is sampled when scraped: one cheap count, no identity needed.
        if let due = try? await SyncStore(database: self.dependencies.database).dueAccountCount() {
            self.dependencies.metrics.dueAccounts(due)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: self.dependencies.metrics.render())))
    }

    @Sendable func openAPI(_ request: Request, context: ServerRequestContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try OpenAPIDocument.data())))
    }
}

/// The checked-in OpenAPI 3.1 description (Sources/CRMSyncServer/openapi.json).
public enum OpenAPIDocument {
    public static func data() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw APIError.internalError
        }
        return try Data(contentsOf: url)
    }
}
