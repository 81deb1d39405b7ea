import CRMSyncSupport
import Foundation

/// `GET /me/mailFolders/{id}/messages`: a folder's live messages, newest first, with the one
/// `$filter` a mail client needs to find what it sent: `internetMessageId eq '<id>'`
/// (`$top` and `$select` apply; any other filter is 400, as Graph refuses what it cannot run).
extension SandboxState {
    func graphMailList(_ email: String, _ request: SandboxRequest, folder: String) -> Reply {
        let mailbox = self.graphMailbox(email)
        guard let folderId = mailbox.folderId(folder) else { return self.graphNotFound() }
        var records = mailbox.live(in: folderId)
        if let filter = request.query["$filter"] {
            guard let wanted = Self.internetMessageIdFilter(filter) else {
                return self.graphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.")
            }
            records = records.filter { $0.json["internetMessageId"]?.string == wanted }
        }
        records.sort { ($0.json["receivedDateTime"]?.string ?? "") > ($1.json["receivedDateTime"]?.string ?? "") }
        let top = request.query["$top"].flatMap(Int.init).map { max(1, min($0, 1000)) } ?? 10
        let select = request.query["$select"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let immutable = Self.immutableIds(request)
        return .json(200, [
            "@odata.context": .string("https://graph.microsoft.com/v1.0/$metadata#users('\(email)')/mailFolders('\(folder)')/messages"),
            "value": .array(records.prefix(top).map { self.graphRenderMessage($0, immutable: immutable, select: select) }),
        ])
    }

    /// The quoted value of `internetMessageId eq '…'` (OData doubles a quote inside it).
    nonisolated static func internetMessageIdFilter(_ filter: String) -> String? {
        let trimmed = filter.trimmingCharacters(in: .whitespaces)
        let prefix = "internetmessageid eq '"
        guard trimmed.lowercased().hasPrefix(prefix), trimmed.hasSuffix("'"), trimmed.count > prefix.count else { return nil }
        let inner = trimmed.dropFirst(prefix.count).dropLast()
        return inner.replacingOccurrences(of: "''", with: "'")
    }
}
