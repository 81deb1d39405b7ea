import Foundation
import Hummingbird
import Logging

/// Wires the providers' paths and the control API to ``SandboxState``.
struct SandboxRoutes: Sendable {
    let state: SandboxState
    let logger: Logger
    let fallbackHost: String

    /// Adds every route to `router`.
    func add(to router: Router<BasicRequestContext>) {
        router.add(middleware: FaultMiddleware(state: self.state))
        self.addOAuth(to: router)
        self.addGoogleCalendar(to: router)
        self.addGraph(to: router)
        self.addGmail(to: router)
        self.addGraphMail(to: router)
        self.addControl(to: router)
    }

    /// Converts the request, runs `work` and converts its reply.
    func respond(_ request: Request, _ work: @Sendable (SandboxRequest) async -> Reply) async throws -> Response {
        let sandboxRequest = try await SandboxRequest.from(request, fallbackHost: self.fallbackHost)
        return await work(sandboxRequest).response
    }

    /// A path parameter, percent-decoded.
    func parameter(_ context: BasicRequestContext, _ name: String) -> String {
        let raw = context.parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    private func addOAuth(to router: Router<BasicRequestContext>) {
        let state = self.state
        router.get("/o/oauth2/v2/auth") { request, _ in
            try await self.respond(request) { await state.authorize(.google, $0) }
        }
        router.post("/token") { request, _ in
            try await self.respond(request) { await state.tokenEndpoint(.google, $0) }
        }
        router.post("/revoke") { request, _ in
            try await self.respond(request) { await state.revoke($0) }
        }
        router.get("/oauth2/v3/userinfo") { request, _ in
            try await self.respond(request) { await state.userInfo(.google, $0) }
        }
        router.get("/:tenant/oauth2/v2.0/authorize") { request, _ in
            try await self.respond(request) { await state.authorize(.microsoft, $0) }
        }
        router.post("/:tenant/oauth2/v2.0/token") { request, _ in
            try await self.respond(request) { await state.tokenEndpoint(.microsoft, $0) }
        }
    }
}
