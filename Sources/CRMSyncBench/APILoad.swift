import CRMSyncDatabase
import CRMSyncSupport
import Foundation
import JWTKit

/// The HTTP API under load: starts `crmsync serve` (no worker) on the benchmark's database and
/// drives it with wrk, `connections` concurrent clients for `seconds`: first `/healthz` (the
/// server alone), then the account list as the members given (each request a different member's
/// token, round robin), so every request does its database work. A warm-up run goes first.
struct APILoad: Sendable {
    /// The `crmsync` executable to serve with.
    let executable: URL
    let connections: Int
    let threads: Int
    let seconds: Int

    struct Figures: Codable {
        var connections = 0
        var seconds = 0
        var healthz_requests_per_second = 0.0
        var accounts_requests_per_second = 0.0
        var accounts_p50_ms = 0.0
        var accounts_p99_ms = 0.0
        /// Responses other than 200, and socket errors: must be 0 for the figure to count.
        var accounts_failures = 0
    }

    func run(members: [Identity], say: @Sendable (String) -> Void) async throws -> Figures {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("crmsync-bench-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let secret = Data((0..<48).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let secretFile = work.appendingPathComponent("jwt-secret")
        try Data(secret.utf8).write(to: secretFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretFile.path)

        let port = try FreePort.pick()
        let base = "http://127.0.0.1:\(port)"
        let server = try self.startServer(port: port, base: base, secretFile: secretFile, log: work.appendingPathComponent("serve.log"))
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        try await Self.waitUntilReady(base, server: server)

        let script = work.appendingPathComponent("accounts.lua")
        try await Self.requestScript(members: Array(members.prefix(500)), secret: secret).write(to: script, atomically: true, encoding: .utf8)
        say("API under load: warming up…")
        _ = try WrkRun.measure(url: "\(base)/v1/calendar/accounts", script: script, connections: self.connections, threads: self.threads, seconds: 2)
        say("API under load: /healthz, \(self.connections) clients for \(self.seconds) s…")
        let healthz = try WrkRun.measure(url: "\(base)/healthz", script: nil, connections: self.connections, threads: self.threads, seconds: self.seconds)
        say("API under load: the account list as \(min(members.count, 500)) members, \(self.connections) clients for \(self.seconds) s…")
        let accounts = try WrkRun.measure(
            url: "\(base)/v1/calendar/accounts", script: script, connections: self.connections, threads: self.threads, seconds: self.seconds)
        return Figures(
            connections: self.connections, seconds: self.seconds, healthz_requests_per_second: healthz.requestsPerSecond,
            accounts_requests_per_second: accounts.requestsPerSecond, accounts_p50_ms: accounts.p50Milliseconds,
            accounts_p99_ms: accounts.p99Milliseconds, accounts_failures: accounts.failures)
    }

    private func startServer(port: Int, base: String, secretFile: URL, log: URL) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: self.executable.path) else {
            throw APILoadError.noServer(self.executable.path)
        }
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw APILoadError.noLog(log.path) }
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = self.executable
        process.arguments = ["serve", "--port", String(port), "--no-worker"]
        var environment = ProcessInfo.processInfo.environment
        environment["CRMSYNC_JWT_SECRET_FILE"] = secretFile.path
        environment["CRMSYNC_PUBLIC_URL"] = base
        environment["CRMSYNC_LOG_LEVEL"] = "warning"
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }

    private static func waitUntilReady(_ base: String, server: Process) async throws {
        for _ in 0..<200 {
            guard server.isRunning else { throw APILoadError.serverExited }
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            probe.arguments = ["curl", "-fsS", "-o", "/dev/null", "\(base)/readyz"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            try probe.run()
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Its last answer says why (pending migrations, the database).
        let last = Process()
        last.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        last.arguments = ["curl", "-sS", "\(base)/readyz"]
        let output = Pipe()
        last.standardOutput = output
        last.standardError = FileHandle.nullDevice
        try last.run()
        let answer = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        last.waitUntilExit()
        throw APILoadError.notReady(answer)
    }

    /// A wrk script that sends each request as the next member (token and organization header).
    private static func requestScript(members: [Identity], secret: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        var entries: [String] = []
        for member in members {
            let claims = BenchClaims(
                sub: .init(value: member.userID.uuidString.lowercased()), exp: .init(value: Date().addingTimeInterval(3600)),
                aud: .init(value: ["authenticated"]), role: "authenticated")
            let token = try await keys.sign(claims)
            entries.append("{\"Bearer \(token)\", \"\(member.organizationID.uuidString.lowercased())\"}")
        }
        return """
            local callers = {
            \(entries.joined(separator: ",\n"))
            }
            local next = 0
            request = function()
              next = next % #callers + 1
              local caller = callers[next]
              return wrk.format("GET", nil, { ["Authorization"] = caller[1], ["X-Organization-Id"] = caller[2] })
            end
            """
    }
}

/// The claims a CRM backend's token carries (Supabase's shape).
struct BenchClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var aud: AudienceClaim
    var role: String

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

enum APILoadError: Error, CustomStringConvertible {
    case noServer(String)
    case noLog(String)
    case serverExited
    case notReady(String)
    case wrkMissing
    case wrkFailed(String)

    var description: String {
        switch self {
        case .noServer(let path): "no crmsync executable at \(path) (build it: swift build -c release --product crmsync)"
        case .noLog(let path): "cannot write the server's log at \(path)"
        case .serverExited: "crmsync serve exited while starting"
        case .notReady(let answer): "crmsync serve did not become ready within 20 s (/readyz: \(answer))"
        case .wrkMissing: "wrk is not installed (make deps installs it)"
        case .wrkFailed(let why): "wrk failed: \(why)"
        }
    }
}
