import CRMSyncDatabase
import CRMSyncSupport
import Foundation
import Hummingbird

/// The query string of `GET /v1/mail/messages`, checked before anything reaches the database:
/// a malformed value is a 400 naming the parameter, never a database error.
enum MessageQuery {
    static func filter(from parameters: Hummingbird.Parameters) throws(APIError) -> EmailMessageFilter {
        var filter = EmailMessageFilter()
        if let text = parameters.get("account") { filter.account = try self.uuid(text, name: "account") }
        if let folder = parameters.get("folder") {
            guard filter.account != nil else { throw .badRequest("invalid_parameter", "folder needs account") }
            filter.folder = try self.text(folder, name: "folder", maximum: 1000)
        }
        if let thread = parameters.get("thread") { filter.thread = try self.text(thread, name: "thread", maximum: 1000) }
        if let participant = parameters.get("participant") {
            let bare = participant.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
            guard !bare.isEmpty, bare.utf8.count <= 320, bare.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
                throw .badRequest("invalid_parameter", "participant must be one e-mail address")
            }
            filter.participant = bare.lowercased()
        }
        if let query = parameters.get("q") {
            let text = try self.text(query, name: "q", maximum: 1000)
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw .badRequest("invalid_parameter", "q must not be blank") }
            filter.query = text
        }
        if let text = parameters.get("limit") {
            guard let limit = Int(text), (1...200).contains(limit) else {
                throw .badRequest("invalid_parameter", "limit must be an integer from 1 to 200")
            }
            filter.limit = limit
        }
        if let cursor = parameters.get("cursor") { filter.after = try self.decodeCursor(cursor) }
        return filter
    }

    static func uuid(_ text: String?, name: String) throws(APIError) -> UUID {
        guard let text, let id = UUID(uuidString: text) else { throw .badRequest("invalid_parameter", "\(name) must be a UUID") }
        return id
    }

    /// 1 to `maximum` characters, no control characters (Postgres text holds no NUL).
    static func text(_ value: String, name: String, maximum: Int) throws(APIError) -> String {
        guard !value.isEmpty, value.count <= maximum, !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .badRequest("invalid_parameter", "\(name) must be 1 to \(maximum) characters without control characters")
        }
        return value
    }

    /// Opaque to callers: base64url of `<listed_at, UTC, microseconds>|<id>`.
    static func encodeCursor(_ cursor: EmailListCursor) -> String {
        Base64URL.encode(Array("\(cursor.listedAt)|\(cursor.id.lowercased)".utf8))
    }

    static func decodeCursor(_ text: String) throws(APIError) -> EmailListCursor {
        let invalid = APIError.badRequest("invalid_cursor", "cursor is not one this service issued")
        guard text.utf8.count <= 200, let data = Base64URL.decode(text), let decoded = String(data: data, encoding: .utf8),
            let bar = decoded.lastIndex(of: "|"), let id = UUID(uuidString: String(decoded[decoded.index(after: bar)...]))
        else { throw invalid }
        let listedAt = String(decoded[..<bar])
        // Only the form the store writes: 2026-12-01T10:00:00.000000Z.
        guard listedAt.count == 27, listedAt.hasSuffix("Z"), listedAt.allSatisfy({ $0.isASCII && ($0.isNumber || "-:.TZ".contains($0)) }) else {
            throw invalid
        }
        return EmailListCursor(listedAt: listedAt, id: id)
    }
}
