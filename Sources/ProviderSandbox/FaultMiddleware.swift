import Hummingbird

/// Counts every provider request (not `/_sandbox/`) and lets injected faults answer it,
/// after any injected latency.
struct FaultMiddleware<Context: RequestContext>: RouterMiddleware {
    let state: SandboxState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !path.hasPrefix("/_sandbox") else { return try await next(request, context) }
        let decision = await self.state.admit(method: request.method.rawValue, path: path)
        if decision.latencyMs > 0 { try await Task.sleep(for: .milliseconds(decision.latencyMs)) }
        if let reply = decision.reply { return reply.response }
        return try await next(request, context)
    }
}
