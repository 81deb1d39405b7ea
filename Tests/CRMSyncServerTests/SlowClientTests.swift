import CRMSyncTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Slow and idle clients are cut off: a half-sent request head or body
/// does not hold a connection open beyond the configured idle timeout.
@Suite("HTTP service: slow clients")
struct SlowClientTests {
    /// What a raw TCP client saw after sending `bytes` and then nothing.
    enum Ending: Equatable {
        /// The server closed the connection after this many seconds (with these bytes said).
        case closed(after: Double, answer: String)
        /// Still open when the client gave up.
        case stillOpen
    }

    /// Connects to `port`, sends `bytes`, then waits up to `limit` seconds for the server to
    /// close. Blocking socket calls run on their own thread, off the cooperative pool.
    static func halfSend(_ bytes: String, port: Int, limit: Double) async throws -> Ending {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try Self.halfSendBlocking(bytes, port: port, limit: limit) })
            }
        }
    }

    static func halfSendBlocking(_ bytes: String, port: Int, limit: Double) throws -> Ending {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket() failed") }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestSetupError("connect() failed") }
        let sent = bytes.utf8CString.withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count - 1, 0) }
        guard sent == bytes.utf8.count else { throw TestSetupError("send() failed") }
        let start = Date()
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date().timeIntervalSince(start) < limit {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(1, (limit - Date().timeIntervalSince(start)) * 1000))
            guard Glibc.poll(&poller, 1, remaining) > 0 else { continue }
            let count = Glibc.recv(fd, &buffer, buffer.count, 0)
            if count <= 0 {
                return .closed(after: Date().timeIntervalSince(start), answer: String(decoding: answer, as: UTF8.self))
            }
            answer.append(contentsOf: buffer[0..<count])
        }
        return .stillOpen
    }

    @Test("a half-sent head, a half-sent body and an idle connection are closed within the configured bound")
    func halfSentRequestsAreCutOff() async throws {
        try await ServerHarness.with("slow_clients", configure: { $0.idleTimeout = .seconds(1) }) { harness in
            let port = try #require(harness.server.port)
            let cases = [
                "half head": "POST /v1/calendar/accounts/connect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le",
                "half body": "POST /webhooks/microsoft HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n{\"value\":[",
                "idle": "",
            ]
            try await withThrowingTaskGroup(of: (String, Ending).self) { group in
                for (name, bytes) in cases {
                    group.addTask { (name, try await Self.halfSend(bytes, port: port, limit: 10)) }
                }
                for try await (name, ending) in group {
                    guard case .closed(let after, _) = ending else {
                        Issue.record("\(name): still open after 10 s")
                        continue
                    }
                    #expect(after < 4, "\(name): closed after \(after) s")
                }
            }
            // The server still answers a whole request at once.
            #expect(try await harness.send("GET", "/healthz").status == 200)
        }
    }
}
