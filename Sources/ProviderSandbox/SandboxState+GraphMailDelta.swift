import CRMSyncSupport
import Foundation

/// `GET /me/mailFolders/{id}/messages/delta`: a first round with its options, `$skiptoken`
/// pages, then `$deltatoken` rounds with only what changed in the folder since the link:
/// messages written or moved in, in full, and `@removed` for those deleted or moved out. Links
/// keep the IdType and options they were made with.
extension SandboxState {
    func graphMailDelta(_ email: String, _ request: SandboxRequest, folder: String) -> Reply {
        let key = email.lowercased()
        let query = request.query
        let preferred = Self.preferences(request.header("prefer"))["odata.maxpagesize"].flatMap { Int($0) }
        if let skip = query["$skiptoken"] {
            guard let page = self.graphMailPages[skip], page.email == key else { return self.graphResyncRequired() }
            self.graphMailPages[skip] = nil
            return self.graphMailPage(page, size: preferred, baseURL: request.baseURL)
        }
        let mailbox = self.graphMailbox(key)
        if let token = query["$deltatoken"] {
            guard let cursor = self.graphMailCursors[token], cursor.email == key else { return self.graphResyncRequired() }
            return self.graphMailPage(self.graphMailChanges(mailbox, since: cursor), size: preferred, baseURL: request.baseURL)
        }
        guard let folderId = mailbox.folderId(folder) else { return self.graphNotFound() }
        var options = MailDeltaOptions(folderSegment: folder)
        options.select = query["$select"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        options.top = query["$top"].flatMap { Int($0) }
        options.changeType = query["changeType"]?.lowercased()
        if let filter = query["$filter"] {
            let parts = filter.split(separator: " ").map(String.init)
            guard parts.count == 3, parts[0].lowercased() == "receiveddatetime", parts[1].lowercased() == "ge",
                let since = RFC3339.parse(parts[2])
            else { return self.graphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.") }
            options.receivedSince = since
        }
        let cursor = MailDeltaCursor(email: key, folder: folderId, immutable: Self.immutableIds(request), options: options)
        return self.graphMailPage(self.graphMailChanges(mailbox, since: cursor, full: true), size: preferred, baseURL: request.baseURL)
    }

    /// 410 `resyncRequired` for an unknown or expired link.
    func graphResyncRequired() -> Reply {
        self.graphError(410, "resyncRequired", "The delta token is no longer valid. Please restart the sync with an initial delta request.")
    }

    /// The items a round lists since `cursor` (everything in the folder when `full`), with
    /// the cursor of the next round.
    private func graphMailChanges(_ mailbox: GraphMailbox, since cursor: MailDeltaCursor, full: Bool = false) -> MailDeltaPage {
        var next = cursor
        var items: [JSONValue] = []
        let options = cursor.options
        func shows(_ record: MailRecord) -> Bool {
            guard !record.deleted, record.folder == cursor.folder else { return false }
            guard let since = options.receivedSince else { return true }
            return (record.json["receivedDateTime"]?.string.flatMap(RFC3339.parse) ?? .distantPast) >= since
        }
        let ids = full ? mailbox.live(in: cursor.folder).map(\.immutableId) : mailbox.touched(since: cursor.sequence)
        var removed: [String] = []
        for id in ids {
            guard let record = mailbox.messages[id] else { continue }
            let seen = cursor.snapshot[id]
            if shows(record) {
                let now = MailSeen(shownId: record.id(immutable: cursor.immutable), version: record.version)
                next.snapshot[id] = now
                guard seen?.version != now.version else { continue }
                let kind = seen == nil ? "created" : "updated"
                if options.changeType == nil || options.changeType == kind {
                    items.append(self.graphRenderMessage(record, immutable: cursor.immutable, select: options.select))
                }
            } else if let seen {
                next.snapshot[id] = nil
                // Without ImmutableId a moved message had another id: the caller knows the old one.
                removed.append(seen.shownId)
            }
        }
        if options.changeType == nil || options.changeType == "deleted" {
            for id in removed {
                items.append(["@odata.type": "#microsoft.graph.message", "id": .string(id), "@removed": ["reason": "deleted"]])
            }
        }
        next.sequence = mailbox.changes.count
        return MailDeltaPage(email: cursor.email, items: items, offset: 0, final: next)
    }

    private func graphMailPage(_ page: MailDeltaPage, size preferred: Int?, baseURL: String) -> Reply {
        var page = page
        let size = max(1, min(preferred ?? page.final.options.top ?? 10, 1000))
        let slice = page.items[page.offset..<min(page.items.count, page.offset + size)]
        page.offset += slice.count
        var body: [String: JSONValue] = [
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(message)", "value": .array(Array(slice)),
        ]
        let segment = page.final.options.folderSegment.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let link = self.publicBase(baseURL) + "/v1.0/me/mailFolders/\(segment)/messages/delta?"
        let token = self.token("", 48)
        if page.offset < page.items.count {
            self.graphMailPages[token] = page
            body["@odata.nextLink"] = .string(link + "$skiptoken=" + token)
        } else {
            self.graphMailCursors[token] = page.final
            body["@odata.deltaLink"] = .string(link + "$deltatoken=" + token)
        }
        return .json(200, .object(body), headers: [("Preference-Applied", "odata.maxpagesize=\(size)")])
    }

    /// Control API part of `expire-cursors`: forgets the user's mail delta links and pages.
    func graphMailExpire(email: String) -> Int {
        let key = email.lowercased()
        let before = self.graphMailCursors.count + self.graphMailPages.count
        self.graphMailCursors = self.graphMailCursors.filter { $0.value.email != key }
        self.graphMailPages = self.graphMailPages.filter { $0.value.email != key }
        return before - self.graphMailCursors.count - self.graphMailPages.count
    }
}
