import Glibc

/// A free loopback TCP port (bound and released; the race with another process is acceptable
/// for tests and benchmarks, which start a server on it at once).
public enum FreePort {
    public static func pick() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw FreePortError(step: "socket") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, length) }
        }
        guard bound == 0 else { throw FreePortError(step: "bind") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard named == 0 else { throw FreePortError(step: "getsockname") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The system call that failed while looking for a free port.
public struct FreePortError: Error, CustomStringConvertible {
    public var step: String
    public var description: String { "no free loopback port: \(self.step)() failed" }
}
