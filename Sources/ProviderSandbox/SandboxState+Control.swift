import CRMSyncSupport
import Foundation

extension SandboxState {
    /// Control API: create (`eventId == nil`), patch, update or delete a Google event as the user.
    func controlGoogle(email: String, calendarId: String, _ eventId: String?, _ request: SandboxRequest) -> Reply {
        let email = email.lowercased()
        guard let key = self.googleStore(email, calendarId, create: true) else { return GoogleError.notFound() }
        let body = request.jsonBody ?? [:]
        guard let eventId else { return self.googleInsert(key, email: email, body: body) }
        switch request.method {
        case "DELETE": return self.googleDelete(key, id: eventId, ifMatch: nil)
        case "PUT": return self.googleWrite(key, id: eventId, body: body, replace: true, ifMatch: nil)
        default: return self.googleWrite(key, id: eventId, body: body, replace: false, ifMatch: nil)
        }
    }

    /// Control API: every stored Google event of a calendar, cancelled ones included.
    func controlGoogleList(email: String, calendarId: String) -> Reply {
        let store = self.googleStores[self.googleKey(email.lowercased(), calendarId)] ?? EventStore()
        return .json(200, ["items": .array(store.order.compactMap { store.events[$0].map { .object($0.json) } })])
    }

    /// Control API: create (`eventId == nil`), patch or delete an Outlook event as the user.
    func controlGraph(email: String, _ eventId: String?, _ request: SandboxRequest) -> Reply {
        let body = request.jsonBody ?? [:]
        guard let eventId else { return self.graphCreate(email.lowercased(), body: body, zoneName: "UTC") }
        if request.method == "DELETE" { return self.graphDelete(email.lowercased(), id: eventId, ifMatch: nil) }
        return self.graphUpdate(email.lowercased(), id: eventId, body: body, ifMatch: nil, zoneName: "UTC")
    }

    /// Control API: the user's Outlook events that exist (masters and exceptions as stored).
    func controlGraphList(email: String) -> Reply {
        let store = self.graphStores[email.lowercased()] ?? EventStore()
        let items = store.order.compactMap { id -> JSONValue? in
            guard let record = store.events[id], !record.deleted else { return nil }
            return .object(self.graphRender(record.json, zoneName: "UTC"))
        }
        return .json(200, ["value": .array(items)])
    }

    func controlChannels() -> Reply {
        let items: [JSONValue] = self.channels.values.sorted { $0.id < $1.id }.map {
            ["id": .string($0.id), "resourceId": .string($0.resourceId), "address": .string($0.address),
             "calendar": .string($0.storeKey), "messageNumber": .int($0.messageNumber)]
        }
        return .json(200, ["channels": .array(items)])
    }

    func controlSubscriptions() -> Reply {
        .json(200, ["value": .array(self.subscriptions.values.sorted { $0.id < $1.id }.map { .object($0.json) })])
    }
}
