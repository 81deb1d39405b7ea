import CRMSyncDatabase
import CRMSyncMIME
import CRMSyncProviders
import Foundation
import Logging
import MailTransport

/// Opens an attachment's content at its provider with the mailbox owner's credentials, after
/// the caller's session has decided it may be read (`EmailMessageStore.attachmentSource`).
///
/// IMAP (iCloud, any server): the message's folder and UID from its stored location, the part's
/// MIME header for its transfer encoding, then the part in partial fetches. Outlook: Graph's
/// attachment list matched by file name (then position), and `/$value` streamed. Gmail: the
/// part's attachmentId from the part tree, and `attachments.get`'s base64url read as it arrives. The owner's
/// secrets are read in their worker session, as a sync run does.
public struct MailAttachmentReader: Sendable {
    public var database: TenantDatabase
    public var trust: MailTrust
    public var api: MailAPIAccess
    public var timeout: Duration
    /// Bytes per IMAP partial fetch.
    public var chunkSize: Int
    public var logger: Logger

    public init(
        database: TenantDatabase, trust: MailTrust = MailTrust(), api: MailAPIAccess, timeout: Duration = .seconds(30),
        chunkSize: Int = 512 * 1024, logger: Logger = Logger(label: "crmsync.mail.attachments")
    ) {
        self.database = database
        self.trust = trust
        self.api = api
        self.timeout = timeout
        self.chunkSize = chunkSize
        self.logger = logger
    }

    /// The content, ready to be read; the caller must `close()` it.
    public func open(_ source: EmailAttachmentSource) async throws -> any MailAttachmentContent {
        guard let part = source.attachment.partPath else { throw MailAttachmentError.goneAtProvider }
        switch source.provider {
        case APIMailProvider.outlook.rawValue:
            return try await self.openGraph(source)
        case APIMailProvider.gmail.rawValue:
            return try await self.openGmail(source, part: part)
        default:
            return try await self.openIMAP(source, part: part)
        }
    }

    private func openIMAP(_ source: EmailAttachmentSource, part: String) async throws -> any MailAttachmentContent {
        let store = EmailStore(database: self.database)
        guard let stored = try await store.account(source.accountID, as: source.owner) else { throw MailAttachmentError.goneAtProvider }
        let account = try MailAccount(stored, trust: self.trust)
        guard let location = try await EmailMessageStore(database: self.database).location(of: source.messageID, as: source.owner),
            let uid = UInt32(exactly: location.uid)
        else { throw MailAttachmentError.goneAtProvider }
        let credential = try account.imapCredential(try await store.secrets(of: source.accountID, as: source.owner))
        let client: IMAPClient
        do {
            client = try await IMAPClient.connect(to: account.imap, credential: credential, timeout: self.timeout, logger: self.logger)
        } catch {
            throw MailAttachmentError.provider(MailSyncError.imap(host: account.imap.host, error).description)
        }
        do {
            let status = try await client.examine(location.folder, qresync: nil)
            guard location.uidValidity == nil || Int64(status.uidValidity) == location.uidValidity else {
                throw MailAttachmentError.goneAtProvider
            }
            guard let header = try await client.fetchSection(uid: uid, section: part + ".MIME") else {
                throw MailAttachmentError.goneAtProvider
            }
            let encoding = MIMEParser().parse(header + Array("\r\n".utf8)).root.transferEncoding
            return IMAPAttachmentContent(
                client: client, uid: uid, section: part, encoding: encoding, chunkSize: self.chunkSize,
                contentLength: source.attachment.sizeBytes)
        } catch let error as MailTransportError {
            await client.logout()
            throw MailAttachmentError.provider(MailSyncError.imap(host: account.imap.host, error).description)
        } catch {
            await client.logout()
            throw error
        }
    }

    private func openGraph(_ source: EmailAttachmentSource) async throws -> any MailAttachmentContent {
        let tokens = try await self.api.tokens(account: source.accountID, provider: .outlook, owner: source.owner)
        let client = self.api.graph(tokens)
        let response: HTTPStreamedResponse?
        do throws(ProviderError) {
            response = try await Self.graphStream(client, source)
        } catch {
            throw MailAttachmentError.provider(error.description)
        }
        guard let response else { throw MailAttachmentError.goneAtProvider }
        return HTTPAttachmentContent(response)
    }

    private static func graphStream(_ client: GraphMailClient, _ source: EmailAttachmentSource) async throws(ProviderError)
        -> HTTPStreamedResponse?
    {
        guard let listed = try await client.attachments(messageID: source.providerMessageID),
            let match = Self.match(source.attachment, siblings: source.siblings, in: listed)
        else { return nil }
        return try await client.streamAttachment(messageID: source.providerMessageID, attachmentID: match.id)
    }

    private func openGmail(_ source: EmailAttachmentSource, part: String) async throws -> any MailAttachmentContent {
        let tokens = try await self.api.tokens(account: source.accountID, provider: .gmail, owner: source.owner)
        let client = self.api.gmail(tokens)
        let opened: (HTTPStreamedResponse, Int64?)?
        do throws(ProviderError) {
            opened = try await Self.gmailStream(client, source, part: part)
        } catch {
            throw MailAttachmentError.provider(error.description)
        }
        guard let (response, size) = opened else { throw MailAttachmentError.goneAtProvider }
        return GmailAttachmentContent(response, contentLength: size)
    }

    private static func gmailStream(_ client: GmailMailClient, _ source: EmailAttachmentSource, part: String) async throws(ProviderError)
        -> (HTTPStreamedResponse, Int64?)?
    {
        guard
            let reference = try await client.attachmentReference(
                messageID: source.providerMessageID, partPath: part, filename: source.attachment.filename),
            let response = try await client.streamAttachment(messageID: source.providerMessageID, attachmentID: reference.id)
        else { return nil }
        return (response, reference.size)
    }

    /// The provider's attachment for `target`: the only one of its file name, else the one at
    /// its position among those of that name, else (no name) at its position among all.
    static func match(_ target: EmailAttachmentInfo, siblings: [EmailAttachmentInfo], in listed: [GraphAttachmentInfo]) -> GraphAttachmentInfo? {
        if let name = target.filename {
            let named = listed.filter { $0.name == name }
            if named.count == 1 { return named[0] }
            if named.count > 1 {
                let position = siblings.filter { $0.filename == name }.firstIndex { $0.id == target.id } ?? 0
                return position < named.count ? named[position] : nil
            }
        }
        guard listed.count == siblings.count, let index = siblings.firstIndex(where: { $0.id == target.id }) else { return nil }
        return listed[index]
    }
}
