import Foundation
import Hummingbird

extension SandboxRoutes {
    /// Control routes that act on calendars as the user would (no OAuth involved).
    func addControlEvents(to control: RouterGroup<BasicRequestContext>) {
        let state = self.state
        control.post("google/users/:email/calendars/:calendarId") { request, context in
            let (email, calendarId) = (self.parameter(context, "email"), self.parameter(context, "calendarId"))
            return try await self.respond(request) {
                await state.controlGoogleCalendarZone(email: email, calendarId: calendarId, zone: $0.jsonBody?["timeZone"]?.string)
            }
        }
        let google = "google/users/:email/calendars/:calendarId/events"
        control.get(RouterPath(google)) { request, context in
            let (email, calendarId) = (self.parameter(context, "email"), self.parameter(context, "calendarId"))
            return try await self.respond(request) { _ in await state.controlGoogleList(email: email, calendarId: calendarId) }
        }
        control.post(RouterPath(google)) { request, context in
            let (email, calendarId) = (self.parameter(context, "email"), self.parameter(context, "calendarId"))
            return try await self.respond(request) { await state.controlGoogle(email: email, calendarId: calendarId, nil, $0) }
        }
        for method in [HTTPRequest.Method.patch, .put, .delete] {
            control.on(RouterPath(google + "/:eventId"), method: method) { request, context in
                let (email, calendarId) = (self.parameter(context, "email"), self.parameter(context, "calendarId"))
                let eventId = self.parameter(context, "eventId")
                return try await self.respond(request) { await state.controlGoogle(email: email, calendarId: calendarId, eventId, $0) }
            }
        }
        control.get("microsoft/users/:email/events") { request, context in
            let email = self.parameter(context, "email")
            return try await self.respond(request) { _ in await state.controlGraphList(email: email) }
        }
        control.post("microsoft/users/:email/events") { request, context in
            let email = self.parameter(context, "email")
            return try await self.respond(request) { await state.controlGraph(email: email, nil, $0) }
        }
        for method in [HTTPRequest.Method.patch, .delete] {
            control.on("microsoft/users/:email/events/:eventId", method: method) { request, context in
                let (email, eventId) = (self.parameter(context, "email"), self.parameter(context, "eventId"))
                return try await self.respond(request) { await state.controlGraph(email: email, eventId, $0) }
            }
        }
        control.get("google/channels") { request, _ in try await self.respond(request) { _ in await state.controlChannels() } }
        control.get("microsoft/subscriptions") { request, _ in try await self.respond(request) { _ in await state.controlSubscriptions() } }
        control.post("microsoft/subscriptions/:id/lifecycle") { request, context in
            let id = self.parameter(context, "id")
            return try await self.respond(request) {
                await state.graphLifecycle(id: id, event: $0.jsonBody?["lifecycleEvent"]?.string ?? "reauthorizationRequired")
            }
        }
    }
}
