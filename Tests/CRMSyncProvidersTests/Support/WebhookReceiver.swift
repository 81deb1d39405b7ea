import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP receiver for webhook tests on plain sockets (one thread, one request per
/// connection). It answers Graph's validation handshake by echoing `validationToken` as
/// text/plain and records every other request's first line and headers.
final class WebhookReceiver: Sendable {
    let port: Int
    private let socket: Int32
    private let received = Mutex<[[String: String]]>([])

    init() throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.socket = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    var url: URL { URL(string: "http://127.0.0.1:\(self.port)/hook")! }
    var requests: [[String: String]] { self.received.withLock { $0 } }

    func stop() {
        shutdown(self.socket, Int32(SHUT_RDWR))
        close(self.socket)
    }

    private func serve() {
        while true {
            let client = accept(self.socket, nil, nil)
            guard client >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = read(client, &buffer, buffer.count)
            let text = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
            let lines = text.components(separatedBy: "\r\n")
            var fields = ["request-line": lines.first ?? ""]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let target = (lines.first ?? "").split(separator: " ").dropFirst().first.map(String.init) ?? "/"
            let token = URLComponents(string: target)?.queryItems?.first { $0.name == "validationToken" }?.value
            if token == nil { self.received.withLock { $0.append(fields) } }
            let body = token ?? ""
            let response = "HTTP/1.1 \(token == nil ? 202 : 200) OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            _ = response.withCString { write(client, $0, strlen($0)) }
            close(client)
        }
    }
}
