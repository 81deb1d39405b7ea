import Foundation
import Hummingbird

extension SandboxRoutes {
    func addGoogleCalendar(to router: Router<BasicRequestContext>) {
        let state = self.state
        router.get("/calendar/v3/calendars/:calendarId") { request, context in
            let calendarId = self.parameter(context, "calendarId")
            return try await self.respond(request) { await state.google($0, calendarId: calendarId, .calendar) }
        }
        let events = "/calendar/v3/calendars/:calendarId/events"
        router.get(RouterPath(events)) { request, context in
            let calendarId = self.parameter(context, "calendarId")
            return try await self.respond(request) { await state.google($0, calendarId: calendarId, .list) }
        }
        router.post(RouterPath(events)) { request, context in
            let calendarId = self.parameter(context, "calendarId")
            return try await self.respond(request) { await state.google($0, calendarId: calendarId, .insert) }
        }
        router.post(RouterPath(events + "/watch")) { request, context in
            let calendarId = self.parameter(context, "calendarId")
            return try await self.respond(request) { await state.google($0, calendarId: calendarId, .watch) }
        }
        let event = events + "/:eventId"
        let operations: [(HTTPRequest.Method, @Sendable (String) -> GoogleOperation)] = [
            (.get, { .get($0) }), (.patch, { .patch($0) }), (.put, { .update($0) }), (.delete, { .delete($0) }),
        ]
        for (method, operation) in operations {
            router.on(RouterPath(event), method: method) { request, context in
                let calendarId = self.parameter(context, "calendarId")
                let eventId = self.parameter(context, "eventId")
                return try await self.respond(request) { await state.google($0, calendarId: calendarId, operation(eventId)) }
            }
        }
        router.post("/calendar/v3/channels/stop") { request, _ in
            try await self.respond(request) { await state.googleStopChannel($0) }
        }
    }

    func addGraph(to router: Router<BasicRequestContext>) {
        let state = self.state
        router.get("/v1.0/me") { request, _ in
            try await self.respond(request) { await state.userInfo(.microsoft, $0) }
        }
        router.get("/v1.0/me/calendarView/delta") { request, _ in
            try await self.respond(request) { await state.graph($0, .delta) }
        }
        for path in ["/v1.0/me/events", "/v1.0/me/calendars/:calendarId/events", "/v1.0/me/calendar/events"] {
            router.post(RouterPath(path)) { request, _ in
                try await self.respond(request) { await state.graph($0, .create) }
            }
        }
        let operations: [(HTTPRequest.Method, @Sendable (String) -> GraphOperation)] = [
            (.get, { .get($0) }), (.patch, { .update($0) }), (.delete, { .delete($0) }),
        ]
        for path in ["/v1.0/me/events/:eventId", "/v1.0/me/calendars/:calendarId/events/:eventId"] {
            for (method, operation) in operations {
                router.on(RouterPath(path), method: method) { request, context in
                    let eventId = self.parameter(context, "eventId")
                    return try await self.respond(request) { await state.graph($0, operation(eventId)) }
                }
            }
        }
        router.post("/v1.0/subscriptions") { request, _ in
            try await self.respond(request) { await self.createSubscription($0) }
        }
        for method in [HTTPRequest.Method.get, .patch, .delete] {
            router.on("/v1.0/subscriptions/:id", method: method) { request, context in
                let id = self.parameter(context, "id")
                return try await self.respond(request) { await state.graphSubscriptionEndpoint($0, id: id) }
            }
        }
    }

    /// `POST /subscriptions`: checks, then the validation handshake with the notification
    /// (and lifecycle) URL; only a receiver that echoes the token gets a subscription.
    private func createSubscription(_ request: SandboxRequest) async -> Reply {
        switch await self.state.graphSubscriptionStart(request) {
        case .failure(let failure):
            return failure.reply
        case .success(let draft):
            for url in [draft.notificationURL] + (draft.lifecycleURL.map { [$0] } ?? []) {
                let token = "Validation: Testing client application reachability for subscription Request-Id: " + (await self.state.guid())
                guard await WebhookClient.validate(url, token: token, logger: self.logger) else {
                    return await self.state.graphError(
                        400, "ValidationError",
                        "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.")
                }
            }
            return await self.state.graphCreateSubscription(draft)
        }
    }
}
