import CRMSyncDatabase
import CRMSyncMail
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/mail/messages/:message/attachments/:attachment`: the content streamed from the
/// provider as it arrives, never held whole.
///
/// Whether the caller may read it is decided in their session (the attachment row is visible
/// only at the `full` level or to the owner); the download then uses the mailbox owner's
/// credentials, as a sync run does. The content is always served as a download
/// (`Content-Disposition: attachment`, `nosniff`), so HTML or SVG in mail never runs as this
/// service's page.
extension MessageRoutes {
    var attachmentReader: MailAttachmentReader {
        let dependencies = self.dependencies
        return MailAttachmentReader(
            database: dependencies.database, trust: dependencies.configuration.mailTrust,
            api: MailAPIAccess(database: dependencies.database, endpoints: dependencies.endpoints, http: dependencies.http, logger: dependencies.logger),
            logger: dependencies.logger)
    }

    @Sendable func download(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let messageID = try MessageQuery.uuid(context.parameters.get("message"), name: "message id")
        let attachmentID = try MessageQuery.uuid(context.parameters.get("attachment"), name: "attachment id")
        guard let source = try await self.store.attachmentSource(message: messageID, attachment: attachmentID, for: identity) else {
            throw APIError.notFound("attachment")
        }
        let content: any MailAttachmentContent
        do {
            content = try await self.attachmentReader.open(source)
        } catch MailAttachmentError.goneAtProvider {
            throw APIError.notFound("attachment content")
        } catch let error as DatabaseError {
            throw error
        } catch {
            // The provider failed, refused the owner's credentials, or they are missing: the
            // caller may read the attachment, the mailbox cannot deliver it now.
            context.logger.warning("attachment download failed", metadata: ["error": "\(error)"])
            throw APIError(.badGateway, code: "provider_failed", message: "the mail provider did not deliver the attachment")
        }
        var headers: HTTPFields = [:]
        headers[.contentType] = Self.safeContentType(source.attachment.contentType)
        headers[.contentDisposition] = Self.contentDisposition(source.attachment.filename)
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[.cacheControl] = "private, no-store"
        let length = content.contentLength.flatMap { Int(exactly: $0) }
        let logger = context.logger
        let body = ResponseBody(contentLength: length) { writer in
            var written = 0
            do {
                while let chunk = try await content.next() {
                    var piece = chunk[...]
                    if let length, written + piece.count > length { piece = piece.prefix(length - written) }
                    if !piece.isEmpty { try await writer.write(ByteBuffer(bytes: piece)) }
                    written += piece.count
                    if let length, written >= length { break }
                }
            } catch {
                await content.close()
                logger.warning("attachment stream broke", metadata: ["error": "\(error)", "bytes": "\(written)"])
                throw error
            }
            await content.close()
            // A shorter body than announced must not look complete: the connection is cut.
            if let length, written < length {
                logger.warning("attachment shorter than announced", metadata: ["bytes": "\(written)", "announced": "\(length)"])
                throw MailAttachmentError.provider("the attachment ended early")
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// `type/subtype` from the metadata when it is a plain token pair, else octet-stream.
    static func safeContentType(_ value: String?) -> String {
        let tokenCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-")
        guard let value = value?.lowercased().split(separator: ";").first?.trimmingCharacters(in: .whitespaces),
            let slash = value.firstIndex(of: "/"), value.count <= 127
        else { return "application/octet-stream" }
        let type = value[..<slash]
        let subtype = value[value.index(after: slash)...]
        let valid = { (part: Substring) in !part.isEmpty && part.unicodeScalars.allSatisfy { tokenCharacters.contains($0) } }
        return valid(type) && valid(subtype) ? value : "application/octet-stream"
    }

    /// `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266).
    static func contentDisposition(_ filename: String?) -> String {
        let name = (filename ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var fallback = String(name.unicodeScalars.map { scalar -> Character in
            let c = Character(scalar)
            return scalar.isASCII && (c.isLetter || c.isNumber || " ._-()+,".contains(c)) ? c : "_"
        })
        while fallback.hasPrefix(".") { fallback.removeFirst() }
        fallback = String(fallback.prefix(150)).trimmingCharacters(in: .whitespaces)
        if fallback.isEmpty { fallback = "attachment" }
        var value = "attachment; filename=\"\(fallback)\""
        let cleaned = String(name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init)).prefix(200)
        if !cleaned.isEmpty, String(cleaned) != fallback {
            let attrChars = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")
            if let encoded = String(cleaned).addingPercentEncoding(withAllowedCharacters: attrChars) {
                value += "; filename*=UTF-8''\(encoded)"
            }
        }
        return value
    }
}
