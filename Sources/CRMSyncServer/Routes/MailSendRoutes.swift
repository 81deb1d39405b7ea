import CRMSyncDatabase
import CRMSyncMIME
import CRMSyncMail
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/mail/messages` (send) and `GET /v1/mail/outbox/:id` (what became of it).
///
/// A send is queued, not sent in the request: the message is built once with its Message-ID
/// fixed (`MailOutbox.compose`, the CLI's builder) and stored by `public.queue_email`; the
/// worker sends it. The required `Idempotency-Key` is stored with the row in Postgres, so the
/// same key from the same person in the same organization never queues twice, across retries,
/// concurrent requests and restarts: the same request gets the first entry again (202,
/// `Idempotent-Replayed: true`), another request under the key a 422 `idempotency_key_reused`.
struct MailSendRoutes: Sendable {
    let dependencies: ServerDependencies

    var outbox: EmailOutboxStore { EmailOutboxStore(database: self.dependencies.database) }

    func register(on group: RouterGroup<ServerRequestContext>) {
        group.post("mail/messages", use: self.send)
        group.get("mail/outbox/:id", use: self.show)
    }

    /// The answer to a send: the outbox entry and where to follow it.
    struct Queued: Encodable {
        var id: String
        var accountID: String
        var status: String
        var messageID: String
        var createdAt: Date
        var statusURL: String

        enum CodingKeys: String, CodingKey {
            case id, status
            case accountID = "account_id"
            case messageID = "message_id"
            case createdAt = "created_at"
            case statusURL = "status_url"
        }

        init(_ entry: EmailOutboxStore.Entry) {
            self.id = entry.id.lowercased
            self.accountID = entry.accountID.lowercased
            self.status = entry.status
            self.messageID = entry.messageID
            self.createdAt = entry.createdAt
            self.statusURL = "/v1/mail/outbox/\(entry.id.lowercased)"
        }
    }

    @Sendable func send(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let key = try Self.idempotencyKey(request.headers[Self.idempotencyKeyField])
        var request = request
        let body = try await request.decodeJSONBody(MailSendRequest.self, maxBytes: self.dependencies.configuration.maxBodyBytes)
        let attachments = try body.validated()
        let hash = try body.sha256()

        // A key seen before answers at once, without building anything.
        if let previous = try await self.outbox.entry(idempotencyKey: key, for: identity) {
            guard previous.requestSHA256 == hash else { throw Self.keyReused }
            return try self.answer(previous.entry, replayed: true)
        }
        // The sending account must be the caller's own connected one.
        _ = try await MailAccountRoutes.notFound {
            try await EmailAccountStore(database: self.dependencies.database).record(body.accountID, for: identity)
        }
        var mail = OutgoingMail(
            to: body.to ?? [], cc: body.cc ?? [], bcc: body.bcc ?? [], subject: body.subject, text: body.text ?? "", html: body.html,
            attachments: attachments)
        var threading: MailThreading?
        if let parentID = body.replyTo {
            let parent = try await self.referenced(parentID, identity: identity)
            guard let messageID = parent.internetMessageID else {
                throw APIError(.unprocessableContent, code: "reply_target_without_message_id", message: "the message replied to has no Message-ID to thread with")
            }
            threading = MailThreading(inReplyTo: messageID, references: parent.references + [messageID], parentSubject: parent.subject)
        } else if let originalID = body.forwardOf {
            let original = try await self.referenced(originalID, identity: identity)
            MailForward.apply(original, to: &mail)
        }
        let draft: EmailOutboxDraft
        do {
            draft = try await MailOutbox(database: self.dependencies.database).compose(mail, from: body.accountID, threading: threading, as: identity)
        } catch MailSyncError.accountNotFound {
            throw APIError.notFound("mail account")
        } catch MailSyncError.invalidMessage {
            throw APIError.badRequest("invalid_field", "the message cannot be built from these fields")
        }
        let queued = try await MailAccountRoutes.notFound {
            try await self.outbox.queue(draft, account: body.accountID, idempotencyKey: key, requestSHA256: hash, as: identity)
        }
        switch queued {
        case .queued(let entry):
            self.dependencies.metrics.mailSend(status: "queued")
            context.logger.info("mail queued", metadata: ["outbox": .string(entry.id.lowercased), "account": .string(body.accountID.lowercased)])
            return try self.answer(entry, replayed: false)
        case .replayed(let entry):
            return try self.answer(entry, replayed: true)
        case .keyReused:
            throw Self.keyReused
        }
    }

    private func answer(_ entry: EmailOutboxStore.Entry, replayed: Bool) throws -> Response {
        if replayed { self.dependencies.metrics.mailSend(status: "replayed") }
        var response = try JSONCoding.response(Queued(entry), status: .accepted)
        response.headers[.location] = "/v1/mail/outbox/\(entry.id.lowercased)"
        if replayed { response.headers[Self.replayedField] = "true" }
        return response
    }

    private func referenced(_ id: UUID, identity: Identity) async throws -> EmailOutboxStore.ReferencedMessage {
        do {
            return try await self.outbox.referencedMessage(id, for: identity)
        } catch DatabaseError.notFound {
            throw APIError.notFound("email message")
        }
    }

    struct OutboxEntry: Encodable {
        var id: String
        var accountID: String
        var status: String
        var attempts: Int
        var lastError: String?
        var sentAt: Date?
        var emailMessageID: String?
        var messageID: String
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, status, attempts
            case accountID = "account_id"
            case lastError = "last_error"
            case sentAt = "sent_at"
            case emailMessageID = "email_message_id"
            case messageID = "message_id"
            case createdAt = "created_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.id, forKey: .id)
            try container.encode(self.accountID, forKey: .accountID)
            try container.encode(self.status, forKey: .status)
            try container.encode(self.attempts, forKey: .attempts)
            try container.encode(self.lastError, forKey: .lastError)
            try container.encode(self.sentAt, forKey: .sentAt)
            try container.encode(self.emailMessageID, forKey: .emailMessageID)
            try container.encode(self.messageID, forKey: .messageID)
            try container.encode(self.createdAt, forKey: .createdAt)
        }
    }

    @Sendable func show(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.requireUUID("id")
        let entry: EmailOutboxStore.Entry
        do {
            entry = try await self.outbox.entry(id, for: identity)
        } catch DatabaseError.notFound {
            throw APIError.notFound("outbox entry")
        }
        return try JSONCoding.response(
            OutboxEntry(
                id: entry.id.lowercased, accountID: entry.accountID.lowercased, status: entry.status, attempts: entry.attempts,
                lastError: entry.lastError, sentAt: entry.sentAt, emailMessageID: entry.emailMessageID?.lowercased,
                messageID: entry.messageID, createdAt: entry.createdAt))
    }

    static let idempotencyKeyField = HTTPField.Name("Idempotency-Key")!
    static let replayedField = HTTPField.Name("Idempotent-Replayed")!

    static let keyReused = APIError(
        .unprocessableContent, code: "idempotency_key_reused",
        message: "this Idempotency-Key was used with a different request; use a new key for a new message")

    /// The header's key: required, 1 to 255 visible ASCII characters.
    static func idempotencyKey(_ value: String?) throws -> String {
        guard let value else {
            throw APIError.badRequest("missing_idempotency_key", "the Idempotency-Key header is required (1 to 255 visible ASCII characters)")
        }
        guard FieldRules.isIdempotencyKey(value) else {
            throw APIError.badRequest("invalid_idempotency_key", "the Idempotency-Key header must be 1 to 255 visible ASCII characters")
        }
        return value
    }
}
