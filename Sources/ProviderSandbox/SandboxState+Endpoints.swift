import CRMSyncSupport
import Foundation

/// A Google Calendar API call, after routing.
enum GoogleOperation: Sendable {
    case list, insert, watch, calendar
    case get(String), patch(String), update(String), delete(String)
}

/// A Graph call on the signed-in user's calendar, after routing.
enum GraphOperation: Sendable {
    case create, delta
    case get(String), update(String), delete(String)
}

extension SandboxState {
    /// Authenticates, resolves the calendar and runs a Google Calendar operation.
    func google(_ request: SandboxRequest, calendarId: String, _ operation: GoogleOperation) -> Reply {
        self.asUser(request, .google) { email in
            guard let key = self.googleStore(email, calendarId) else { return GoogleError.notFound() }
            let ifMatch = request.header("if-match")
            func body(_ run: ([String: JSONValue]) -> Reply) -> Reply {
                guard let json = request.jsonBody else { return GoogleError.reply(400, reason: "parseError", message: "Parse Error") }
                return run(json)
            }
            switch operation {
            case .list: return self.googleList(key, email: email, calendarId: calendarId, query: request.query)
            case .calendar: return self.googleCalendar(key, email: email, calendarId: calendarId)
            case .insert: return body { self.googleInsert(key, email: email, body: $0) }
            case .watch:
                return body { self.googleWatch(key, calendarId: calendarId, body: $0, baseURL: self.publicBase(request.baseURL)) }
            case .get(let id): return self.googleGet(key, id: id)
            case .patch(let id): return body { self.googleWrite(key, id: id, body: $0, replace: false, ifMatch: ifMatch) }
            case .update(let id): return body { self.googleWrite(key, id: id, body: $0, replace: true, ifMatch: ifMatch) }
            case .delete(let id): return self.googleDelete(key, id: id, ifMatch: ifMatch)
            }
        }
    }

    /// Authenticates and runs `channels.stop`.
    func googleStopChannel(_ request: SandboxRequest) -> Reply {
        self.asUser(request, .google) { _ in self.googleStop(body: request.jsonBody ?? [:]) }
    }

    /// Authenticates and runs a Graph event operation.
    func graph(_ request: SandboxRequest, _ operation: GraphOperation) -> Reply {
        self.asUser(request, .microsoft) { email in
            let prefer = Self.preferences(request.header("prefer"))
            let zone = prefer["outlook.timezone"] ?? "UTC"
            // Graph returns bodies as HTML unless text is preferred.
            let bodyType = prefer["outlook.body-content-type"]?.lowercased() == "text" ? "text" : "html"
            let ifMatch = request.header("if-match")
            func body(_ run: ([String: JSONValue]) -> Reply) -> Reply {
                guard let json = request.jsonBody else {
                    return self.graphError(400, "BadRequest", "Empty Payload. JSON content expected.")
                }
                return run(json)
            }
            switch operation {
            case .create: return body { self.graphCreate(email, body: $0, zoneName: zone, bodyType: bodyType) }
            case .delta:
                return self.graphDelta(
                    email, request, pageSize: prefer["odata.maxpagesize"].flatMap { Int($0) }, zoneName: prefer["outlook.timezone"],
                    bodyType: bodyType)
            case .get(let id): return self.graphGet(email, id: id, zoneName: zone, bodyType: bodyType)
            case .update(let id): return body { self.graphUpdate(email, id: id, body: $0, ifMatch: ifMatch, zoneName: zone, bodyType: bodyType) }
            case .delete(let id): return self.graphDelete(email, id: id, ifMatch: ifMatch)
            }
        }
    }

    /// Authenticates and runs `GET`/`PATCH`/`DELETE /subscriptions/{id}`.
    func graphSubscriptionEndpoint(_ request: SandboxRequest, id: String) -> Reply {
        self.asUser(request, .microsoft) { email in
            self.graphSubscription(email, id: id, method: request.method, body: request.jsonBody)
        }
    }

    /// Authenticates and checks a subscription request; the handshake follows outside the actor.
    func graphSubscriptionStart(_ request: SandboxRequest) -> Result<SubscriptionDraft, SandboxFailure> {
        guard let email = self.authenticate(request, .microsoft) else {
            return .failure(SandboxFailure(self.asUser(request, .microsoft) { _ in .noContent }))
        }
        guard let body = request.jsonBody else {
            return .failure(SandboxFailure(self.graphError(400, "BadRequest", "Empty Payload. JSON content expected.")))
        }
        return self.graphSubscriptionDraft(email, body: body).map { draft in
            var draft = draft
            draft.immutableIds = Self.immutableIds(request)
            return draft
        }
    }

    /// `Prefer: odata.maxpagesize=50, outlook.timezone="Pacific Standard Time"` → pairs.
    nonisolated static func preferences(_ header: String?) -> [String: String] {
        var result: [String: String] = [:]
        for part in (header ?? "").split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            result[pair[0].lowercased()] = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return result
    }
}
