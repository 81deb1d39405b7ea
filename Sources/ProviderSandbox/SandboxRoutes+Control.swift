/// The control API, under `/_sandbox/`, for tests and demos playing "the user" and "the
/// provider". Bodies and answers are JSON; `{provider}` is `google` or `microsoft`.
///
/// - `POST /_sandbox/reset` — forget everything; back to the configured seed.
/// - `GET /_sandbox/clock` — `{now}`; `POST /_sandbox/clock/advance` `{seconds}` moves sandbox time on.
/// - `POST /_sandbox/oauth/clients` `{provider, clientId, clientSecret, redirectUris?}` — register a client.
/// - `POST /_sandbox/oauth/deny` `{email, deny: true|false, provider?}` — the user refuses consent.
/// - `POST /_sandbox/oauth/token-lifetime` `{seconds}` — lifetime of access tokens issued from now on.
/// - `POST /_sandbox/users/{email}/expire-access-tokens[?provider=]` — expire the user's access tokens.
/// - `POST /_sandbox/users/{email}/expire-cursors` — expire sync tokens, page tokens and delta links
///   (Outlook mail's too), and drop the Gmail history (any older `startHistoryId` gets 404; the
///   current one stays valid).
/// - `POST /_sandbox/users/{email}/revoke[?provider=]` — revoke the user's grants (refresh and access tokens die).
/// - `POST /_sandbox/google/users/{email}/calendars/{calendarId}` `{timeZone}` — the calendar's zone
///   (listings' `timeZone`, `calendars.get`; default UTC).
/// - `GET|POST /_sandbox/google/users/{email}/calendars/{calendarId}/events` — list every stored event
///   (cancelled ones too) / create one as the user would in Google (Google event JSON).
/// - `PATCH|PUT|DELETE /_sandbox/google/users/{email}/calendars/{calendarId}/events/{eventId}` — change as the user.
/// - `GET|POST /_sandbox/microsoft/users/{email}/events`, `PATCH|DELETE …/events/{eventId}` — the same in Outlook (Graph JSON).
/// - `POST /_sandbox/microsoft/users/{email}/messages` `{mime | raw (base64), folder?, isRead?, receivedDateTime?}` —
///   mail arrives in Outlook (folder `inbox` by default; the mailbox is created if missing) → `{id, immutableId, …}`.
/// - `PATCH /_sandbox/microsoft/users/{email}/messages/{id}` `{isRead?, folder?, categories?}` (a move gives a new
///   REST id), `DELETE …/messages/{id}`; `GET …/messages` — every stored message with `folder` and `mime`.
/// - `POST /_sandbox/microsoft/mail/latency` `{ms}` — each Outlook mail request holds its mailbox slot that long
///   (at most 4 at once per mailbox, the fifth gets 429 `MailboxConcurrency`); `GET /_sandbox/microsoft/users/{email}/mail/traffic`
///   — `{requests, immutableIdRequests, inFlight, maxInFlight, throttled}` of the mail routes.
/// - `POST /_sandbox/microsoft/mail/hold` `{hold: true|false}` — admitted Outlook mail requests wait (keeping their
///   slots) until the hold is lifted: a test fills a mailbox's 4 slots, then sees the fifth refused.
/// - `GET /_sandbox/google/channels`, `GET /_sandbox/microsoft/subscriptions` — what is being watched.
/// - `POST /_sandbox/microsoft/subscriptions/{id}/lifecycle` `{lifecycleEvent}` — send a lifecycle
///   notification (`reauthorizationRequired`, `subscriptionRemoved`, `missed`).
/// - `POST /_sandbox/google/users/{email}/messages` `{raw (base64url) | mime (text), labelIds?, threadId?,
///   internalDate? (ms)}` — mail arrives in the Gmail mailbox (default labels `INBOX`, `UNREAD`;
///   threaded by `threadId` or In-Reply-To/References); creates the mailbox if missing.
/// - `GET /_sandbox/google/users/{email}/messages` — every stored Gmail message with labels and raw bytes.
/// - `PATCH /_sandbox/google/users/{email}/messages/{id}` `{addLabelIds, removeLabelIds}` — the user
///   reads, labels or moves it; `DELETE …/messages/{id}` — deleted for good (`messagesDeleted`).
/// - `POST /_sandbox/google/pubsub` `{topicName, pushEndpoint}` — the Pub/Sub push subscription of a
///   topic: Gmail watch notifications on it are POSTed there (URL kept verbatim, query too).
/// - `POST /_sandbox/faults` `{route, status?, retryAfter?, afterCalls?, times?, probability?, latencyMs?}`,
///   `GET /_sandbox/faults`, `DELETE /_sandbox/faults[/{id}]` — injected faults per route pattern
///   (`GET /calendar/v3/calendars/*/events`; `*` one segment, trailing `**` any rest).
/// - `GET /_sandbox/requests[?route=PATTERN]` — provider requests counted per `METHOD path`
///   (`{count, routes}`); `DELETE /_sandbox/requests` zeroes them.
/// - `POST /_sandbox/quirks` `{emptyPages: true}` — every other list page comes back empty.
import Foundation
import Hummingbird

extension SandboxRoutes {
    func addControl(to router: Router<BasicRequestContext>) {
        let state = self.state
        let control = router.group("/_sandbox")
        control.post("reset") { request, _ in try await self.respond(request) { _ in await state.reset(); return .noContent } }
        control.get("clock") { request, _ in
            try await self.respond(request) { _ in .json(200, ["now": .string(RFC3339.format(await state.now, fractionalDigits: 3))]) }
        }
        control.post("clock/advance") { request, _ in
            try await self.respond(request) { request in
                let seconds = request.jsonBody?["seconds"]
                let value: Double = seconds.flatMap { if case .double(let d) = $0 { d } else { $0.int.map(Double.init) } } ?? 0
                await state.advanceClock(by: value)
                return .json(200, ["now": .string(RFC3339.format(await state.now, fractionalDigits: 3))])
            }
        }
        control.post("quirks") { request, _ in
            try await self.respond(request) { await state.setQuirks($0.jsonBody ?? [:]); return .noContent }
        }
        self.addControlOAuth(to: control)
        self.addControlEvents(to: control)
        self.addControlFaults(to: control)
    }

    private func addControlOAuth(to control: RouterGroup<BasicRequestContext>) {
        let state = self.state
        control.post("oauth/clients") { request, _ in
            try await self.respond(request) { request in
                let body = request.jsonBody ?? [:]
                guard let provider = body["provider"]?.string.flatMap(Provider.init(rawValue:)),
                    let id = body["clientId"]?.string, let secret = body["clientSecret"]?.string
                else { return .json(400, ["error": "provider, clientId and clientSecret are required"]) }
                let uris = (body["redirectUris"]?.array ?? []).compactMap(\.string)
                await state.register(OAuthClient(provider: provider, id: id, secret: secret, redirectURIs: uris))
                return .json(201, ["provider": .string(provider.rawValue), "clientId": .string(id)])
            }
        }
        control.post("oauth/deny") { request, _ in
            try await self.respond(request) { request in
                let body = request.jsonBody ?? [:]
                guard let email = body["email"]?.string else { return .json(400, ["error": "email is required"]) }
                await state.setDenied(body["provider"]?.string.flatMap(Provider.init(rawValue:)), email: email, deny: body["deny"]?.bool ?? true)
                return .noContent
            }
        }
        control.post("oauth/token-lifetime") { request, _ in
            try await self.respond(request) { request in
                guard let seconds = request.jsonBody?["seconds"]?.int else { return .json(400, ["error": "seconds is required"]) }
                await state.setAccessTokenLifetime(seconds)
                return .noContent
            }
        }
        control.post("users/:email/expire-access-tokens") { request, context in
            let email = self.parameter(context, "email")
            return try await self.respond(request) { request in
                .json(200, ["expired": .int(await state.expireAccessTokens(email: email, provider: request.query["provider"].flatMap(Provider.init(rawValue:))))])
            }
        }
        control.post("users/:email/expire-cursors") { request, context in
            let email = self.parameter(context, "email")
            return try await self.respond(request) { _ in
                .json(200, ["expired": .int(await state.expireCursors(email: email) + (await state.gmailExpireHistory(email: email)))])
            }
        }
        control.post("users/:email/revoke") { request, context in
            let email = self.parameter(context, "email")
            return try await self.respond(request) { request in
                .json(200, ["revoked": .int(await state.revokeGrants(email: email, provider: request.query["provider"].flatMap(Provider.init(rawValue:))))])
            }
        }
    }

    private func addControlFaults(to control: RouterGroup<BasicRequestContext>) {
        let state = self.state
        control.post("faults") { request, _ in try await self.respond(request) { await state.addFault($0.jsonBody ?? [:]) } }
        control.get("faults") { request, _ in try await self.respond(request) { _ in await state.listFaults() } }
        control.delete("faults") { request, _ in try await self.respond(request) { _ in await state.clearFaults(id: nil) } }
        control.delete("faults/:id") { request, context in
            let id = self.parameter(context, "id")
            return try await self.respond(request) { _ in await state.clearFaults(id: id) }
        }
        control.get("requests") { request, _ in try await self.respond(request) { await state.requestCount(route: $0.query["route"]) } }
        control.delete("requests") { request, _ in
            try await self.respond(request) { _ in await state.clearRequestCounts(); return .noContent }
        }
    }
}
