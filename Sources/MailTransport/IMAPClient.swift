import Foundation
import Logging

/// An IMAP4rev1 session, logged in and ready for commands.
///
/// libcurl connects and authenticates; every command after that is ours (see
/// `IMAPConnection`). Commands run one at a time on the connection's own serial queue. The
/// client only reads, except `append`: EXAMINE opens folders read-only and bodies are fetched
/// with BODY.PEEK[], so syncing never marks mail as read.
public actor IMAPClient {
    private let connection: IMAPConnection
    private let endpoint: MailServerEndpoint
    private let logger: Logger
    /// Uppercased, from the CAPABILITY command sent after login.
    public private(set) var capabilities: Set<String> = []
    /// Extensions the server confirmed in `* ENABLED`.
    public private(set) var enabled: Set<String> = []
    /// Commands sent on this connection (the "no-change sync round trips" measurement).
    public private(set) var roundTrips = 0
    private var loggedOut = false

    private init(connection: IMAPConnection, endpoint: MailServerEndpoint, logger: Logger) {
        self.connection = connection
        self.endpoint = endpoint
        self.logger = logger
    }

    /// Connects (TLS or STARTTLS), logs in, reads CAPABILITY and checks for IMAP4rev1.
    public static func connect(
        to endpoint: MailServerEndpoint, credential: MailCredential, timeout: Duration = .seconds(30), logger: Logger
    ) async throws(MailTransportError) -> IMAPClient {
        logger.debug("imap connecting", metadata: ["server": "\(endpoint.displayName)", "security": "\(endpoint.security.rawValue)"])
        let connection = try await IMAPConnection.open(endpoint: endpoint, credential: credential, timeout: timeout)
        let client = IMAPClient(connection: connection, endpoint: endpoint, logger: logger)
        try await client.loadCapabilities()
        guard await client.capabilities.contains("IMAP4REV1") else {
            await client.logout()
            throw .notIMAP4rev1("\(endpoint.displayName) does not announce IMAP4rev1")
        }
        return client
    }

    private func loadCapabilities() async throws(MailTransportError) {
        let result = try await self.run(IMAPCommand("CAPABILITY"))
        var capabilities: Set<String> = []
        for case .data(let values) in result.untagged where values.first?.keyword == "CAPABILITY" {
            for value in values.dropFirst() { if let name = value.text { capabilities.insert(name.uppercased()) } }
        }
        self.capabilities = capabilities
    }

    /// ENABLE (RFC 5161) the given extensions; returns those the server confirmed. Without
    /// the ENABLE capability nothing is sent and the result is empty.
    public func enable(_ extensions: [String]) async throws(MailTransportError) -> Set<String> {
        guard self.capabilities.contains("ENABLE"), !extensions.isEmpty else { return [] }
        var command = IMAPCommand("ENABLE")
        for name in extensions { command.raw(try Self.atom(name)) }
        let result = try await self.run(command)
        var confirmed: Set<String> = []
        for case .data(let values) in result.untagged where values.first?.keyword == "ENABLED" {
            for value in values.dropFirst() { if let name = value.keyword { confirmed.insert(name) } }
        }
        self.enabled.formUnion(confirmed)
        // RFC 7162: enabling QRESYNC enables CONDSTORE too.
        if confirmed.contains("QRESYNC") { self.enabled.insert("CONDSTORE") }
        return confirmed
    }

    /// Every folder: `LIST "" "*"`, with `RETURN (SPECIAL-USE)` when the server supports it.
    public func listFolders() async throws(MailTransportError) -> [IMAPFolder] {
        var command = IMAPCommand("LIST")
        command.raw("\"\" \"*\"")
        if self.capabilities.contains("SPECIAL-USE") && self.capabilities.contains("LIST-EXTENDED") {
            command.raw("RETURN (SPECIAL-USE)")
        }
        let result = try await self.run(command)
        var folders: [IMAPFolder] = []
        for case .data(let values) in result.untagged where values.first?.keyword == "LIST" {
            guard values.count >= 4, let attributeValues = values[1].list, let wireName = values[3].text else {
                throw .protocolViolation("LIST response without attributes, delimiter and name")
            }
            let attributes = Set(attributeValues.compactMap { $0.text?.lowercased() })
            let name = self.enabled.contains("UTF8=ACCEPT") ? wireName : ModifiedUTF7.decode(wireName)
            folders.append(
                IMAPFolder(
                    name: name, delimiter: values[2].text, attributes: attributes,
                    specialUse: Self.specialUse(name: name, attributes: attributes)))
        }
        return folders
    }

    private static func specialUse(name: String, attributes: Set<String>) -> IMAPFolder.SpecialUse? {
        if name.uppercased() == "INBOX" { return .inbox }
        let table: [(String, IMAPFolder.SpecialUse)] = [
            ("\\sent", .sent), ("\\drafts", .drafts), ("\\trash", .trash), ("\\junk", .junk),
            ("\\archive", .archive), ("\\all", .all),
        ]
        return table.first { attributes.contains($0.0) }?.1
    }

    /// Opens `folder` read-only. With CONDSTORE the status carries HIGHESTMODSEQ; with a
    /// `qresync` cursor and a QRESYNC server (enabled here if needed) it also lists what
    /// vanished and changed since that cursor.
    public func examine(
        _ folder: String, qresync: (uidValidity: UInt32, modSeq: UInt64)?
    ) async throws(MailTransportError) -> IMAPFolderStatus {
        var useQRESYNC = false
        if let qresync, qresync.modSeq > 0, self.capabilities.contains("QRESYNC") {
            if !self.enabled.contains("QRESYNC") { _ = try await self.enable(["QRESYNC"]) }
            useQRESYNC = self.enabled.contains("QRESYNC")
        }
        var command = IMAPCommand("EXAMINE")
        command.string(self.wireName(folder))
        if useQRESYNC, let qresync {
            command.raw("(QRESYNC (\(qresync.uidValidity) \(qresync.modSeq)))")
        } else if self.capabilities.contains("CONDSTORE") {
            command.raw("(CONDSTORE)")
        }
        let result = try await self.run(command).requireOK(command)
        var uidValidity: UInt32?
        var uidNext: UInt32?
        var exists = 0
        var highestModSeq: UInt64?
        var vanished: [UInt32] = []
        var changed: [IMAPMessageFlags] = []
        // Responses before `* OK [CLOSED]` still belong to the previously selected folder.
        let closed = result.untagged.lastIndex { response in
            if case .status(.ok, let code?, _) = response { return code.name == "CLOSED" }
            return false
        }
        for response in result.untagged[(closed.map { $0 + 1 } ?? 0)...] {
            switch response {
            case .status(.ok, let code?, _):
                switch code.name {
                case "UIDVALIDITY": uidValidity = code.arguments.first?.uid
                case "UIDNEXT": uidNext = code.arguments.first?.uid
                case "HIGHESTMODSEQ": highestModSeq = code.arguments.first?.number
                case "NOMODSEQ": highestModSeq = nil
                default: break
                }
            case .data(let values) where values.count == 2 && values[1].keyword == "EXISTS":
                exists = values[0].number.map { Int($0) } ?? 0
            case .data(let values) where values.first?.keyword == "VANISHED":
                if let set = values.last?.text { vanished.append(contentsOf: try IMAPSequenceSet.parse(set)) }
            default:
                if let fetch = try IMAPFetchResponse(response), let uid = fetch.uid {
                    changed.append(IMAPMessageFlags(uid: uid, flags: fetch.flags ?? [], modSeq: fetch.modSeq))
                }
            }
        }
        guard let uidValidity else { throw .protocolViolation("EXAMINE \(folder) gave no UIDVALIDITY") }
        // Some servers (Yahoo) send HIGHESTMODSEQ without announcing CONDSTORE: not to be trusted.
        if !self.capabilities.contains("CONDSTORE") && !self.capabilities.contains("QRESYNC") { highestModSeq = nil }
        return IMAPFolderStatus(
            uidValidity: uidValidity, uidNext: uidNext, exists: exists, highestModSeq: highestModSeq,
            vanished: vanished, changed: changed, usedQRESYNC: useQRESYNC)
    }

    /// Every UID of the examined folder, ascending (ESEARCH when offered: one compact line).
    public func searchAllUIDs() async throws(MailTransportError) -> [UInt32] {
        var command = IMAPCommand("UID SEARCH")
        if self.capabilities.contains("ESEARCH") { command.raw("RETURN (ALL)") }
        command.raw("ALL")
        return try await self.search(command)
    }

    /// UIDs in the examined folder whose Message-ID header contains `<id>` (brackets added
    /// when missing).
    public func searchUIDs(messageID: String) async throws(MailTransportError) -> [UInt32] {
        let id = messageID.hasPrefix("<") ? messageID : "<\(messageID)>"
        var command = IMAPCommand("UID SEARCH")
        if !id.utf8.allSatisfy({ $0 < 0x80 }) { command.raw("CHARSET UTF-8") }
        command.raw("HEADER Message-ID")
        command.string(id)
        return try await self.search(command)
    }

    private func search(_ command: IMAPCommand) async throws(MailTransportError) -> [UInt32] {
        let result = try await self.run(command).requireOK(command)
        var uids: [UInt32] = []
        for case .data(let values) in result.untagged {
            switch values.first?.keyword {
            case "SEARCH":
                uids.append(contentsOf: values.dropFirst().compactMap(\.uid))
            case "ESEARCH":
                if let all = values.firstIndex(where: { $0.keyword == "ALL" }), all + 1 < values.count,
                    let set = values[all + 1].text
                {
                    uids.append(contentsOf: try IMAPSequenceSet.parse(set))
                }
            default:
                break
            }
        }
        return Array(Set(uids)).sorted()
    }

    /// Flags of the messages in `uids` (`a:*` when the range ends at UInt32.max), only those
    /// changed since `changedSince` when given and the server has CONDSTORE. Only UIDs inside
    /// the range are returned (`n:*` always answers with the last message).
    public func fetchFlags(uids: ClosedRange<UInt32>, changedSince: UInt64?) async throws(MailTransportError) -> [IMAPMessageFlags] {
        let condstore = self.capabilities.contains("CONDSTORE")
        var command = IMAPCommand("UID FETCH")
        command.raw(IMAPSequenceSet.format(uids))
        command.raw(condstore ? "(UID FLAGS MODSEQ)" : "(UID FLAGS)")
        if condstore, let changedSince { command.raw("(CHANGEDSINCE \(changedSince))") }
        let result = try await self.run(command).requireOK(command)
        var flags: [UInt32: IMAPMessageFlags] = [:]
        for response in result.untagged {
            guard let fetch = try IMAPFetchResponse(response), let uid = fetch.uid, uids.contains(uid) else { continue }
            var entry = flags[uid] ?? IMAPMessageFlags(uid: uid, flags: [], modSeq: nil)
            if let value = fetch.flags { entry.flags = value }
            if let value = fetch.modSeq { entry.modSeq = value }
            flags[uid] = entry
        }
        return flags.values.sorted { $0.uid < $1.uid }
    }

    /// Whole messages in one `UID FETCH` (the set compressed to ranges), ascending by UID,
    /// with BODY.PEEK[] so `\Seen` is not set. UIDs that no longer exist are simply absent.
    /// The whole batch is held in memory and the command line grows with scattered UIDs
    /// (servers cap lines near 64 KB): callers batch, e.g. by count and RFC822.SIZE.
    public func fetchMessages(uids: [UInt32]) async throws(MailTransportError) -> [IMAPFetchedMessage] {
        guard !uids.isEmpty else { return [] }
        let wanted = Set(uids)
        var command = IMAPCommand("UID FETCH")
        command.raw(IMAPSequenceSet.format(uids))
        let modSeq = self.capabilities.contains("CONDSTORE") ? " MODSEQ" : ""
        command.raw("(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[]\(modSeq))")
        let result = try await self.run(command).requireOK(command)
        var messages: [UInt32: IMAPFetchedMessage] = [:]
        var flagsOnly: [UInt32: IMAPFetchResponse] = [:]
        for response in result.untagged {
            guard let fetch = try IMAPFetchResponse(response), let uid = fetch.uid, wanted.contains(uid) else { continue }
            // A server may send a message's items in more than one FETCH response: merge them.
            guard let body = fetch.body else {
                flagsOnly[uid] = fetch
                continue
            }
            var message = messages[uid] ?? IMAPFetchedMessage(uid: uid, flags: [], modSeq: nil, internalDate: nil, size: nil, raw: [])
            message.raw = body
            if let value = fetch.flags { message.flags = value }
            if let value = fetch.modSeq { message.modSeq = value }
            if let value = fetch.internalDate { message.internalDate = value }
            if let value = fetch.size { message.size = value }
            messages[uid] = message
        }
        for (uid, fetch) in flagsOnly {
            guard var message = messages[uid] else { continue }
            if let value = fetch.flags { message.flags = value }
            if let value = fetch.modSeq { message.modSeq = value }
            if let value = fetch.internalDate { message.internalDate = value }
            if let value = fetch.size { message.size = value }
            messages[uid] = message
        }
        return messages.values.sorted { $0.uid < $1.uid }
    }

    /// Stores `message` in `folder` (bare LF line ends become CRLF). Returns its UID when the
    /// server has UIDPLUS (APPENDUID), nil otherwise.
    public func append(_ folder: String, message: [UInt8], flags: [String], date: Date?) async throws(MailTransportError) -> UInt32? {
        var command = IMAPCommand("APPEND")
        command.string(self.wireName(folder))
        let flagAtoms = try flags.map { (flag) throws(MailTransportError) -> String in try Self.atom(flag, allowBackslash: true) }
        command.raw("(\(flagAtoms.joined(separator: " ")))")
        if let date { command.raw("\"\(IMAPDate.format(date))\"") }
        command.literal(CRLF.normalize(message))
        let result = try await self.run(command).requireOK(command)
        if result.code?.name == "APPENDUID", result.code?.arguments.count == 2 {
            return result.code?.arguments[1].uid
        }
        return nil
    }

    /// Says LOGOUT (errors ignored) and closes the connection.
    public func logout() async {
        guard !self.loggedOut else { return }
        self.loggedOut = true
        _ = try? await self.run(IMAPCommand("LOGOUT"))
    }

    // MARK: Helpers

    func run(_ command: IMAPCommand) async throws(MailTransportError) -> IMAPCommandResult {
        if self.loggedOut && command.name != "LOGOUT" {
            throw .connectionLost("\(self.endpoint.displayName): the session was logged out")
        }
        self.roundTrips += 1
        let literalPlus = self.capabilities.contains("LITERAL+")
        let started = ContinuousClock.now
        let result = try await self.connection.run { connection throws(MailTransportError) in
            try connection.execute(command, literalPlus: literalPlus)
        }
        self.logger.trace(
            "imap command",
            metadata: [
                "command": "\(command.name)", "status": "\(result.status.rawValue)",
                "responses": "\(result.untagged.count)", "duration": "\(ContinuousClock.now - started)",
            ])
        return result
    }

    private func wireName(_ folder: String) -> String {
        self.enabled.contains("UTF8=ACCEPT") ? folder : ModifiedUTF7.encode(folder)
    }

    /// `value` when it is a valid IMAP atom (flags may start with one backslash).
    private static func atom(_ value: String, allowBackslash: Bool = false) throws(MailTransportError) -> String {
        let body = allowBackslash && value.hasPrefix("\\") ? value.dropFirst() : Substring(value)
        let forbidden = Set("(){ %*\"\\]".utf8)
        guard !body.isEmpty, body.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !forbidden.contains($0) }) else {
            throw .protocolViolation("\"\(value.prefix(40))\" is not a valid IMAP atom")
        }
        return value
    }
}

extension IMAPCommandResult {
    /// Self when the server said OK; `commandFailed` (command name and server text) otherwise.
    func requireOK(_ command: IMAPCommand) throws(MailTransportError) -> IMAPCommandResult {
        guard self.status == .ok else {
            throw .commandFailed(command: command.name, response: "\(self.status.rawValue) \(self.text)")
        }
        return self
    }
}
