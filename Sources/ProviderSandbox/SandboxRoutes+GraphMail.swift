import CRMSyncSupport
import Foundation
import Hummingbird

/// Outlook mail at Graph's paths (each request holds one of its mailbox's 4 slots while it
/// runs), and the control routes that play the mail world.
extension SandboxRoutes {
    func addGraphMail(to router: Router<BasicRequestContext>) {
        let state = self.state
        router.get("/v1.0/me/mailFolders/:folder/messages/delta") { request, context in
            let folder = self.parameter(context, "folder")
            return try await self.mail(request) { email, request in await state.graphMailDelta(email, request, folder: folder) }
        }
        router.get("/v1.0/me/mailFolders/:folder/messages") { request, context in
            let folder = self.parameter(context, "folder")
            return try await self.mail(request) { email, request in await state.graphMailList(email, request, folder: folder) }
        }
        router.get("/v1.0/me/messages/:id") { request, context in
            let id = self.parameter(context, "id")
            return try await self.mail(request) { email, request in await state.graphMessage(email, request, id: id, mime: false) }
        }
        router.get("/v1.0/me/messages/:id/$value") { request, context in
            let id = self.parameter(context, "id")
            return try await self.mail(request) { email, request in await state.graphMessage(email, request, id: id, mime: true) }
        }
        router.get("/v1.0/me/messages/:id/attachments") { request, context in
            let id = self.parameter(context, "id")
            return try await self.mail(request) { email, request in await state.graphMessageAttachments(email, request, id: id) }
        }
        router.get("/v1.0/me/messages/:id/attachments/:attachment/$value") { request, context in
            let (id, attachment) = (self.parameter(context, "id"), self.parameter(context, "attachment"))
            return try await self.mail(request) { email, request in
                await state.graphAttachmentValue(email, request, id: id, attachmentID: attachment)
            }
        }
        router.post("/v1.0/me/sendMail") { request, _ in
            try await self.mail(request) { email, request in await state.graphSendMail(email, request) }
        }
        self.addControlGraphMail(to: router.group("/_sandbox"))
    }

    /// Authenticates, takes a mailbox slot (or answers 429), holds it for the configured
    /// latency and while a hold lasts, runs `work` and frees the slot before the answer leaves.
    private func mail(_ request: Request, _ work: @escaping @Sendable (String, SandboxRequest) async -> Reply) async throws -> Response {
        let state = self.state
        return try await self.respond(request) { request in
            switch await state.graphMailAdmit(request) {
            case .refused(let reply):
                return reply
            case .admitted(let email, let latencyMs):
                if latencyMs > 0 { try? await Task.sleep(for: .milliseconds(latencyMs)) }
                await state.graphMailWaitWhileHeld()
                let reply = await work(email, request)
                await state.graphMailRelease(email)
                return reply
            }
        }
    }

    private func addControlGraphMail(to control: RouterGroup<BasicRequestContext>) {
        let state = self.state
        control.get("microsoft/users/:email/messages") { request, context in
            let email = self.parameter(context, "email")
            return try await self.respond(request) { _ in await state.controlGraphMailList(email: email) }
        }
        control.post("microsoft/users/:email/messages") { request, context in
            let email = self.parameter(context, "email")
            return try await self.respond(request) { await state.controlGraphMailArrive(email: email, body: $0.jsonBody ?? [:]) }
        }
        for method in [HTTPRequest.Method.patch, .delete] {
            control.on("microsoft/users/:email/messages/:id", method: method) { request, context in
                let (email, id) = (self.parameter(context, "email"), self.parameter(context, "id"))
                return try await self.respond(request) {
                    await state.controlGraphMailChange(email: email, id: id, method: $0.method, body: $0.jsonBody ?? [:])
                }
            }
        }
        control.get("microsoft/users/:email/mail/traffic") { request, context in
            let email = self.parameter(context, "email")
            return try await self.respond(request) { _ in await state.graphMailTrafficReply(email: email) }
        }
        control.post("microsoft/mail/latency") { request, _ in
            try await self.respond(request) { request in
                guard let ms = request.jsonBody?["ms"]?.int else { return .json(400, ["error": "ms is required"]) }
                await state.setGraphMailLatency(ms)
                return .noContent
            }
        }
        control.post("microsoft/mail/hold") { request, _ in
            try await self.respond(request) { await state.setGraphMailHold($0.jsonBody?["hold"]?.bool ?? true); return .noContent }
        }
    }
}
