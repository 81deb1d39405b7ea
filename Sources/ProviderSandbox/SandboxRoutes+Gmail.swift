import Foundation
import Hummingbird

/// Gmail API v1 at the real paths (`/gmail/v1/users/{me|email}/…`, the media upload of
/// `messages.send`), and the Gmail part of the control API.
extension SandboxRoutes {
    func addGmail(to router: Router<BasicRequestContext>) {
        let state = self.state
        let base = "/gmail/v1/users/:userId"
        let routes: [(HTTPRequest.Method, String, GmailOperation)] = [
            (.get, "/profile", .profile), (.get, "/labels", .labels), (.get, "/messages", .list), (.get, "/history", .history),
            (.post, "/messages/send", .send), (.post, "/watch", .watch), (.post, "/stop", .stop),
        ]
        for (method, path, operation) in routes {
            router.on(RouterPath(base + path), method: method) { request, context in
                let userId = self.parameter(context, "userId")
                return try await self.respond(request) { await state.gmail($0, userId: userId, operation) }
            }
        }
        router.post("/upload/gmail/v1/users/:userId/messages/send") { request, context in
            let userId = self.parameter(context, "userId")
            return try await self.respond(request) { await state.gmail($0, userId: userId, .send) }
        }
        router.get(RouterPath(base + "/messages/:id")) { request, context in
            let userId = self.parameter(context, "userId")
            let id = self.parameter(context, "id")
            return try await self.respond(request) { await state.gmail($0, userId: userId, .get(id)) }
        }
        router.get(RouterPath(base + "/messages/:id/attachments/:attachment")) { request, context in
            let (userId, id, attachment) = (self.parameter(context, "userId"), self.parameter(context, "id"), self.parameter(context, "attachment"))
            return try await self.respond(request) { await state.gmailAttachment($0, userId: userId, messageId: id, attachmentId: attachment) }
        }
        self.addGmailControl(to: router.group("/_sandbox/google"))
    }

    private func addGmailControl(to control: RouterGroup<BasicRequestContext>) {
        let state = self.state
        control.post("pubsub") { request, _ in try await self.respond(request) { await state.gmailSetPushEndpoint($0.jsonBody ?? [:]) } }
        control.get("users/:email/messages") { request, context in
            let email = self.parameter(context, "email")
            return try await self.respond(request) { _ in await state.controlGmailList(email: email) }
        }
        control.post("users/:email/messages") { request, context in
            let email = self.parameter(context, "email")
            return try await self.respond(request) { await state.controlGmailInsert(email: email, body: $0.jsonBody ?? [:]) }
        }
        for method in [HTTPRequest.Method.patch, .delete] {
            control.on("users/:email/messages/:id", method: method) { request, context in
                let email = self.parameter(context, "email")
                let id = self.parameter(context, "id")
                return try await self.respond(request) { await state.controlGmailMessage(email: email, id: id, $0) }
            }
        }
    }
}
