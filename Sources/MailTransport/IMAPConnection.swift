import CCurl
import Dispatch
import Foundation

/// The outcome of one tagged command: its untagged responses and the tagged completion.
struct IMAPCommandResult: Sendable {
    var untagged: [IMAPResponse]
    var status: IMAPStatus
    var code: IMAPResponseCode?
    var text: String
}

/// One IMAP connection: libcurl connects, does TLS or STARTTLS and logs in
/// (CURLOPT_CONNECT_ONLY); after that our own tagged commands go through curl_easy_send and
/// curl_easy_recv, with poll() on the socket for the read timeout.
///
/// Every call blocks, so each runs as one job on this connection's serial queue, never on
/// the cooperative pool: a whole command (including literal continuations) is one job, so
/// commands never interleave on the wire. `@unchecked Sendable` is safe because all mutable
/// state (the handle, the framer, the tag counter) is touched only inside those jobs.
final class IMAPConnection: @unchecked Sendable {
    private let easy: CurlEasy
    private let queue: DispatchQueue
    private let socket: curl_socket_t
    private let endpoint: MailServerEndpoint
    private let credential: MailCredential
    private let timeoutMilliseconds: Int32
    private var framer = IMAPResponseFramer()
    private var nextTag = 1
    /// Set once the stream can no longer be trusted (timeout mid-response, lost connection).
    private var broken: MailTransportError?
    private var receiveBuffer = [UInt8](repeating: 0, count: 256 * 1024)

    private init(
        easy: CurlEasy, queue: DispatchQueue, socket: curl_socket_t, endpoint: MailServerEndpoint,
        credential: MailCredential, timeout: Duration
    ) {
        self.easy = easy
        self.queue = queue
        self.socket = socket
        self.endpoint = endpoint
        self.credential = credential
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        self.timeoutMilliseconds = Int32(clamping: max(1, milliseconds))
    }

    deinit {
        // curl_easy_cleanup may talk to the server (libcurl's own LOGOUT): do it on the queue.
        let easy = self.easy
        self.queue.async { withExtendedLifetime(easy) {} }
    }

    /// Connects and logs in on a new serial queue.
    static func open(
        endpoint: MailServerEndpoint, credential: MailCredential, timeout: Duration
    ) async throws(MailTransportError) -> IMAPConnection {
        let queue = DispatchQueue(label: "crmsync.imap.\(endpoint.host)")
        return try await Self.onQueue(queue) { () throws(MailTransportError) -> IMAPConnection in
            let easy = try CurlEasy()
            let scheme = endpoint.security == .implicitTLS ? "imaps" : "imap"
            easy.set(CURLOPT_URL, endpoint.url(scheme: scheme))
            easy.set(CURLOPT_CONNECT_ONLY, 1)
            easy.configure(endpoint: endpoint, credential: credential, timeout: timeout)
            let code = easy.perform()
            guard code == CURLE_OK else {
                let detail = credential.scrub(easy.lastError)
                throw MailTransportError.fromCurl(code, detail: detail, endpoint: endpoint, phase: .connecting)
            }
            var socket: curl_socket_t = -1
            guard crmsync_curl_getinfo_socket(easy.handle, &socket) == CURLE_OK, socket != -1 else {
                throw .connectionLost("\(endpoint.displayName): no socket after login")
            }
            return IMAPConnection(
                easy: easy, queue: queue, socket: socket, endpoint: endpoint, credential: credential,
                timeout: timeout)
        }
    }

    /// Runs `body` on the connection's queue and waits for it without blocking the caller's thread.
    func run<T: Sendable>(_ body: @escaping @Sendable (IMAPConnection) throws(MailTransportError) -> T) async throws(MailTransportError)
        -> T
    {
        try await Self.onQueue(self.queue) { () throws(MailTransportError) -> T in try body(self) }
    }

    private static func onQueue<T: Sendable>(
        _ queue: DispatchQueue, _ body: @escaping @Sendable () throws(MailTransportError) -> T
    ) async throws(MailTransportError) -> T {
        let result: Result<T, MailTransportError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(MailTransportError) -> T in try body() })
            }
        }
        return try result.get()
    }

    // MARK: Commands (on the queue)

    /// Sends `command` and reads until its tagged completion. Synchronizing literals wait for
    /// the server's `+`; with `literalPlus` they are sent at once (`{n+}`).
    func execute(_ command: IMAPCommand, literalPlus: Bool) throws(MailTransportError) -> IMAPCommandResult {
        if let broken { throw broken }
        let tag = "A\(self.nextTag)"
        self.nextTag += 1
        var untagged: [IMAPResponse] = []
        do throws(MailTransportError) {
            var pending = Array((tag + " ").utf8)
            for part in command.parts {
                switch part {
                case .text(let bytes):
                    pending.append(contentsOf: bytes)
                case .literal(let bytes):
                    pending.append(contentsOf: "{\(bytes.count)\(literalPlus ? "+" : "")}\r\n".utf8)
                    if !literalPlus {
                        try self.send(pending)
                        pending = []
                        // Wait for "+"; a tagged reply here means the server refused the literal.
                        while true {
                            let response = try self.readResponse()
                            if case .continuation = response { break }
                            if case .tagged(let got, let status, let code, let text) = response, got == tag {
                                return IMAPCommandResult(untagged: untagged, status: status, code: code, text: text)
                            }
                            try self.checkBye(response, command: command)
                            untagged.append(response)
                        }
                    }
                    if literalPlus {
                        try self.send(pending)
                        pending = []
                    }
                    try self.send(bytes)
                }
            }
            pending.append(contentsOf: "\r\n".utf8)
            try self.send(pending)
            while true {
                let response = try self.readResponse()
                if case .tagged(let got, let status, let code, let text) = response {
                    guard got == tag else { throw MailTransportError.protocolViolation("reply for tag \(got) while waiting for \(tag)") }
                    return IMAPCommandResult(untagged: untagged, status: status, code: code, text: text)
                }
                if command.name != "LOGOUT" { try self.checkBye(response, command: command) }
                untagged.append(response)
            }
        } catch {
            // After a failure mid-command the byte stream is out of step: no further commands.
            if case .commandFailed = error {} else { self.broken = error }
            throw error
        }
    }

    private func checkBye(_ response: IMAPResponse, command: IMAPCommand) throws(MailTransportError) {
        if case .status(.bye, _, let text) = response {
            throw .connectionLost("\(self.endpoint.displayName) said BYE during \(command.name): \(text)")
        }
    }

    private func readResponse() throws(MailTransportError) -> IMAPResponse {
        while true {
            if let bytes = try self.framer.nextResponse() {
                return try IMAPResponseParser.parse(bytes)
            }
            try self.receive()
        }
    }

    // MARK: Socket I/O (on the queue)

    private func receive() throws(MailTransportError) {
        while true {
            var received = 0
            let code = self.receiveBuffer.withUnsafeMutableBytes { buffer in
                curl_easy_recv(self.easy.handle, buffer.baseAddress, buffer.count, &received)
            }
            switch code {
            case CURLE_OK:
                guard received > 0 else {
                    throw .connectionLost("\(self.endpoint.displayName) closed the connection")
                }
                self.receiveBuffer.withUnsafeBytes { buffer in
                    self.framer.append(UnsafeRawBufferPointer(rebasing: buffer[0..<received]))
                }
                return
            case CURLE_AGAIN:
                try self.wait(for: Int16(POLLIN))
            default:
                throw self.curlFailure(code)
            }
        }
    }

    private func send(_ bytes: [UInt8]) throws(MailTransportError) {
        var offset = 0
        while offset < bytes.count {
            var sent = 0
            let code = bytes.withUnsafeBytes { buffer in
                curl_easy_send(self.easy.handle, buffer.baseAddress! + offset, buffer.count - offset, &sent)
            }
            switch code {
            case CURLE_OK: offset += sent
            case CURLE_AGAIN: try self.wait(for: Int16(POLLOUT))
            default: throw self.curlFailure(code)
            }
        }
    }

    /// poll() until the socket is ready; the read timeout counts from the last progress.
    private func wait(for events: Int16) throws(MailTransportError) {
        var descriptor = pollfd(fd: self.socket, events: events, revents: 0)
        while true {
            let ready = poll(&descriptor, 1, self.timeoutMilliseconds)
            if ready > 0 { return }
            if ready == 0 {
                throw .timedOut("\(self.endpoint.displayName) sent nothing for \(self.timeoutMilliseconds) ms")
            }
            if errno != EINTR {
                throw .connectionLost("\(self.endpoint.displayName): poll failed (errno \(errno))")
            }
        }
    }

    private func curlFailure(_ code: CURLcode) -> MailTransportError {
        let detail = self.credential.scrub(self.easy.lastError)
        self.easy.clearError()
        return MailTransportError.fromCurl(code, detail: detail, endpoint: self.endpoint, phase: .live)
    }
}
