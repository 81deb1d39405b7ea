import CRMSyncDatabase
import CRMSyncMail
import Foundation
import Hummingbird

/// `/v1/mail/messages…`: list (filters, search, keyset pages), show one message, and download
/// an attachment (MessageRoutes+Attachments).
///
/// Every query runs in the caller's session through `public.email_messages_visible`: row-level
/// security and the mailbox's sharing level decide which messages exist for the caller and
/// which of their columns are filled (no subject below `subject`, no body or attachment below
/// `full`). Whatever the caller cannot see is a 404, however it is asked for.
struct MessageRoutes: Sendable {
    let dependencies: ServerDependencies

    var store: EmailMessageStore { EmailMessageStore(database: self.dependencies.database) }

    func register(on group: RouterGroup<ServerRequestContext>) {
        group.get("mail/messages", use: self.list)
        group.get("mail/messages/:message", use: self.show)
        group.get("mail/messages/:message/attachments/:attachment", use: self.download)
    }

    struct MessageList: Encodable {
        var messages: [MessageSummaryView]
        var nextCursor: String?

        enum CodingKeys: String, CodingKey {
            case messages
            case nextCursor = "next_cursor"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.messages, forKey: .messages)
            try container.encode(self.nextCursor, forKey: .nextCursor)
        }
    }

    @Sendable func list(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let filter = try MessageQuery.filter(from: request.uri.queryParameters)
        let page: EmailMessagePage
        do {
            page = try await self.store.list(filter, for: identity)
        } catch DatabaseError.notFound {
            throw APIError.notFound("email account")
        } catch DatabaseError.invalidValue {
            throw APIError.badRequest("invalid_parameter", "a filter, the search text or the cursor was not accepted")
        }
        return try JSONCoding.response(
            MessageList(messages: page.messages.map(MessageSummaryView.init), nextCursor: page.next.map(MessageQuery.encodeCursor)))
    }

    @Sendable func show(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try MessageQuery.uuid(context.parameters.get("message"), name: "message id")
        guard let message = try await self.store.message(id, for: identity) else { throw APIError.notFound("message") }
        return try JSONCoding.response(MessageDetailView(message))
    }
}
