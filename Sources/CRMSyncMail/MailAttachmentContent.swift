import CRMSyncMIME
import CRMSyncProviders
import Foundation
import MailTransport

/// An attachment's content on its way from the provider, read piece by piece: nothing holds
/// more than one piece (an IMAP partial fetch, or the HTTP stream's bounded queue).
public protocol MailAttachmentContent: Sendable {
    /// The decoded length when the provider or the stored metadata tells it.
    var contentLength: Int64? { get }
    /// The next decoded piece; nil at the end.
    func next() async throws -> [UInt8]?
    /// Ends the download (logs out, stops the transfer); called once, also after an error.
    func close() async
}

/// Why an attachment cannot be downloaded. Descriptions carry no secret.
public enum MailAttachmentError: Error, Sendable, CustomStringConvertible {
    /// The message or attachment is no longer at the provider (or the mailbox changed).
    case goneAtProvider
    /// The provider failed or refused.
    case provider(String)

    public var description: String {
        switch self {
        case .goneAtProvider: "the attachment is no longer in the mailbox"
        case .provider(let detail): "the mail provider failed: \(detail)"
        }
    }
}

/// A part read with `BODY.PEEK[part]<offset.length>` in pieces of `chunkSize`, decoded across
/// piece boundaries.
actor IMAPAttachmentContent: MailAttachmentContent {
    private let client: IMAPClient
    private let uid: UInt32
    private let section: String
    private let chunkSize: Int
    private var offset = 0
    private var decoder: StreamingTransferDecoder
    private var done = false
    private var closed = false
    nonisolated let contentLength: Int64?

    init(client: IMAPClient, uid: UInt32, section: String, encoding: String?, chunkSize: Int, contentLength: Int64?) {
        self.client = client
        self.uid = uid
        self.section = section
        self.chunkSize = max(4096, chunkSize)
        self.decoder = StreamingTransferDecoder(contentTransferEncoding: encoding)
        self.contentLength = contentLength
    }

    func next() async throws -> [UInt8]? {
        while !self.done {
            guard let raw = try await self.client.fetchSection(uid: self.uid, section: self.section, offset: self.offset, length: self.chunkSize)
            else { throw MailAttachmentError.goneAtProvider }
            self.offset += raw.count
            if raw.count < self.chunkSize { self.done = true }
            var out = self.decoder.decode(raw)
            if self.done { out += self.decoder.finish() }
            if !out.isEmpty { return out }
        }
        return nil
    }

    func close() async {
        guard !self.closed else { return }
        self.closed = true
        await self.client.logout()
    }
}

/// The raw bytes of an HTTP download (Graph's `/$value`), passed through.
struct HTTPAttachmentContent: MailAttachmentContent {
    let response: HTTPStreamedResponse
    let contentLength: Int64?

    init(_ response: HTTPStreamedResponse) {
        self.response = response
        self.contentLength = response.contentLength
    }

    func next() async throws -> [UInt8]? {
        var iterator = self.response.body.makeAsyncIterator()
        return try await iterator.next()
    }

    func close() async { self.response.body.cancel() }
}

/// Gmail's `attachments.get` answer, `{"data": "<base64url>", …}`, decoded as it streams:
/// memory stays at one HTTP chunk whatever the attachment's size.
actor GmailAttachmentContent: MailAttachmentContent {
    private let response: HTTPStreamedResponse
    private var scanner = JSONStringFieldScanner(field: "data")
    private var decoder = StreamingTransferDecoder(.base64)
    private var done = false
    nonisolated let contentLength: Int64?

    init(_ response: HTTPStreamedResponse, contentLength: Int64?) {
        self.response = response
        self.contentLength = contentLength
    }

    func next() async throws -> [UInt8]? {
        while !self.done {
            // The iterator keeps no state of its own: the body's queue does.
            var iterator = self.response.body.makeAsyncIterator()
            guard let chunk = try await iterator.next() else {
                self.done = true
                guard self.scanner.finished else { throw MailAttachmentError.provider("Gmail's answer carried no data") }
                let rest = self.decoder.finish()
                return rest.isEmpty ? nil : rest
            }
            let out = self.decoder.decode(self.scanner.scan(chunk))
            if !out.isEmpty { return out }
        }
        return nil
    }

    func close() async { self.response.body.cancel() }
}
