import CCurl
import Dispatch
import Foundation
import Logging

/// Sends mail through an SMTP submission server with libcurl (smtps:// or smtp:// + STARTTLS,
/// AUTH PLAIN/LOGIN or XOAUTH2). Each call is its own connection, run on its own serial
/// queue, never on the cooperative pool.
public struct SMTPClient: Sendable {
    public let endpoint: MailServerEndpoint
    private let credential: MailCredential
    private let heloName: String
    private let timeout: Duration
    private let logger: Logger

    public init(
        endpoint: MailServerEndpoint, credential: MailCredential, heloName: String = "crmsync.local",
        timeout: Duration = .seconds(60), logger: Logger
    ) {
        self.endpoint = endpoint
        self.credential = credential
        self.heloName = heloName
        self.timeout = timeout
        self.logger = logger
    }

    /// Connects, secures and logs in, then hangs up without sending anything.
    public func verify() async throws(MailTransportError) {
        try await self.perform { easy throws(MailTransportError) in
            easy.set(CURLOPT_CONNECT_ONLY, 1)
        }
        self.logger.debug("smtp login verified", metadata: ["server": "\(self.endpoint.displayName)"])
    }

    /// Sends `message` (bare LF line ends become CRLF) from `from` to every recipient; fails
    /// with `rejected` unless the server accepts the sender, every recipient and the message.
    public func send(from: String, recipients: [String], message: [UInt8]) async throws(MailTransportError) {
        guard !recipients.isEmpty else { throw .rejected("no recipients") }
        for address in [from] + recipients where address.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw .rejected("an address contains a line break")
        }
        let source = MessageSource(bytes: CRLF.normalize(message))
        try await self.perform { easy throws(MailTransportError) in
            easy.set(CURLOPT_MAIL_FROM, from.hasPrefix("<") ? from : "<\(from)>")
            easy.setRecipients(recipients.map { $0.hasPrefix("<") ? $0 : "<\($0)>" })
            easy.set(CURLOPT_UPLOAD, 1)
            easy.set(CURLOPT_INFILESIZE_LARGE, source.bytes.count)
            _ = crmsync_curl_setopt_callback(easy.handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
                guard let buffer, let context else { return 0 }
                let source = Unmanaged<MessageSource>.fromOpaque(context).takeUnretainedValue()
                return source.read(into: buffer, capacity: size * count)
            }
            _ = crmsync_curl_setopt_pointer(easy.handle, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque())
        }
        withExtendedLifetime(source) {}
        self.logger.debug(
            "smtp message sent",
            metadata: ["server": "\(self.endpoint.displayName)", "recipients": "\(recipients.count)", "bytes": "\(source.bytes.count)"])
    }

    /// Sets up a handle (TLS, trust, login, timeouts, EHLO name), lets `configure` add the
    /// operation, performs it on a fresh queue and maps a failure.
    private func perform(_ configure: @escaping @Sendable (CurlEasy) throws(MailTransportError) -> Void) async throws(MailTransportError) {
        let endpoint = self.endpoint
        let credential = self.credential
        let timeout = self.timeout
        let heloName = self.heloName.addingPercentEncoding(withAllowedCharacters: .urlHostAllowed) ?? "crmsync.local"
        let queue = DispatchQueue(label: "crmsync.smtp.\(endpoint.host)")
        let result: Result<Void, MailTransportError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(
                    returning: Result { () throws(MailTransportError) in
                        let easy = try CurlEasy()
                        let scheme = endpoint.security == .implicitTLS ? "smtps" : "smtp"
                        easy.set(CURLOPT_URL, endpoint.url(scheme: scheme, path: heloName))
                        easy.configure(endpoint: endpoint, credential: credential, timeout: timeout)
                        let lastLine = ServerLines()
                        _ = crmsync_curl_setopt_callback(easy.handle, CURLOPT_HEADERFUNCTION) { buffer, size, count, context in
                            guard let buffer, let context else { return size * count }
                            let lines = Unmanaged<ServerLines>.fromOpaque(context).takeUnretainedValue()
                            lines.record(UnsafeRawBufferPointer(start: buffer, count: size * count))
                            return size * count
                        }
                        _ = crmsync_curl_setopt_pointer(easy.handle, CURLOPT_HEADERDATA, Unmanaged.passUnretained(lastLine).toOpaque())
                        try configure(easy)
                        let code = easy.perform()
                        defer { withExtendedLifetime(lastLine) {} }
                        guard code == CURLE_OK else {
                            throw Self.failure(code, easy: easy, reply: lastLine.firstFailure, endpoint: endpoint, credential: credential)
                        }
                    })
            }
        }
        try result.get()
    }

    private static func failure(
        _ code: CURLcode, easy: CurlEasy, reply: String, endpoint: MailServerEndpoint, credential: MailCredential
    ) -> MailTransportError {
        let detail = credential.scrub(easy.lastError)
        let reply = credential.scrub(reply)
        let text = [detail, reply.isEmpty ? "" : "server said: \(reply)"].filter { !$0.isEmpty }.joined(separator: "; ")
        // After a successful login, a 4xx/5xx reply to MAIL, RCPT or DATA is a refusal.
        if easy.responseCode() >= 400, code == CURLE_SEND_ERROR || code == CURLE_WEIRD_SERVER_REPLY || code == CURLE_RECV_ERROR,
            !reply.hasPrefix("535"), !reply.hasPrefix("534"), !reply.hasPrefix("530")
        {
            return .rejected("\(endpoint.displayName): \(text)")
        }
        return MailTransportError.fromCurl(code, detail: text, endpoint: endpoint, phase: .connecting)
    }
}

/// The message being uploaded and how far libcurl has read it. Touched only by libcurl's
/// read callback on the one queue performing the transfer (`@unchecked Sendable`: handed
/// to that queue once, never shared).
private final class MessageSource: @unchecked Sendable {
    let bytes: [UInt8]
    private var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, self.bytes.count - self.offset)
        guard count > 0 else { return 0 }
        self.bytes.withUnsafeBytes { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + self.offset, byteCount: count)
        }
        self.offset += count
        return count
    }
}

/// The first 4xx/5xx reply line libcurl passed to the header callback (for error texts: the
/// lines after it are the goodbye). Touched only on the queue performing the transfer.
private final class ServerLines: @unchecked Sendable {
    private(set) var firstFailure = ""

    func record(_ bytes: UnsafeRawBufferPointer) {
        guard self.firstFailure.isEmpty, let first = bytes.first, first == UInt8(ascii: "4") || first == UInt8(ascii: "5") else { return }
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        self.firstFailure = String(line.prefix(200))
    }
}
