import CRMSyncTestSupport
import Foundation
import Testing

@testable import CRMSyncDatabase

/// `crmsync serve` as an operator starts and stops it.
@Suite("crmsync serve: start-up settings and graceful shutdown")
struct ServeCommandTests {
    static let complete: [String: String?] = [
        "DATABASE_URL": "postgresql:///nowhere?host=/nonexistent-dir",
        "CRMSYNC_TOKEN_KEY": "a-token-key-that-is-long-enough-0123456789",
        "CRMSYNC_TOKEN_KEY_FILE": nil,
        "CRMSYNC_PUBLIC_URL": "https://sync.example.com",
        "CRMSYNC_JWT_SECRET": "a-jwt-secret-that-is-long-enough-0123456789",
        "CRMSYNC_JWT_SECRET_FILE": nil,
        "CRMSYNC_JWKS_FILE": nil,
        "CRMSYNC_APP_DATABASE_URL": nil,
    ]

    @Test("a missing or malformed required setting stops start-up with one line naming it, and no secret")
    func refusesIncompleteSettings() async throws {
        let cases: [(String, String?, String)] = [
            ("DATABASE_URL", nil, "DATABASE_URL"),
            ("CRMSYNC_TOKEN_KEY", nil, "CRMSYNC_TOKEN_KEY"),
            ("CRMSYNC_PUBLIC_URL", nil, "CRMSYNC_PUBLIC_URL"),
            ("CRMSYNC_PUBLIC_URL", "sync.example.com", "CRMSYNC_PUBLIC_URL is invalid"),
            ("CRMSYNC_JWT_SECRET", nil, "CRMSYNC_JWT_SECRET"),
            ("CRMSYNC_JWT_SECRET", "short-secret", "at least 32 bytes"),
            ("CRMSYNC_PORT", "99999", "CRMSYNC_PORT is invalid"),
        ]
        for (name, value, expected) in cases {
            var environment = Self.complete
            environment[name] = .some(value)
            let outcome = try await CommandLineRunner.run(["serve"], environment: environment)
            #expect(outcome.status == 1, "\(name)=\(value ?? "unset"): \(outcome.output)")
            let lines = outcome.output.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.hasPrefix("crmsync: ") == true, "\(outcome.output)")
            #expect(outcome.output.contains(expected), "\(name): \(outcome.output)")
            #expect(!outcome.output.contains("long-enough"), "a secret was printed")
        }
    }

    @Test("serves, answers /healthz, and exits 0 on SIGTERM")
    func stopsOnSIGTERM() async throws {
        try await TestDatabase.with("serve_cli") { database in
            // No provider is reachable here: pause the demo accounts so no sync or channel
            // renewal is under way (those finish their run before the process exits).
            try await database.adminConnection().query("update public.calendar_accounts set sync_enabled = false")
            let process = Process()
            process.executableURL = CommandLineRunner.executable
            process.arguments = ["serve", "--port", "0"]
            var environment = ProcessInfo.processInfo.environment
            let changes: [String: String?] = [
                "DATABASE_URL": try database.admin.conninfoString(), "CRMSYNC_TOKEN_KEY": database.key.value,
                "CRMSYNC_TOKEN_KEY_FILE": nil, "CRMSYNC_ROOT": database.root.path,
                "CRMSYNC_PUBLIC_URL": "http://127.0.0.1:1", "CRMSYNC_JWT_SECRET": "a-jwt-secret-that-is-long-enough-0123456789",
                "CRMSYNC_SANDBOX_URL": "http://127.0.0.1:1",
            ]
            for (key, value) in changes { environment[key] = value }
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { process.terminate() } }
            // The first line names the bound port; reading blocks, so off the cooperative pool.
            let line = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    var bytes = Data()
                    while let byte = try? output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
                        bytes.append(byte)
                    }
                    continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
                }
            }
            let url = try #require(line.split(separator: " ").last.flatMap { URL(string: String($0)) }, "\(line)")
            let (body, response) = try await URLSession.shared.data(from: url.appending(path: "healthz"))
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: body, as: UTF8.self).contains("ok"))
            let ready = try await URLSession.shared.data(from: url.appending(path: "readyz")).1
            #expect((ready as? HTTPURLResponse)?.statusCode == 200)

            kill(process.processIdentifier, SIGTERM)
            let exited = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    let deadline = Date().addingTimeInterval(15)
                    while process.isRunning && Date() < deadline { usleep(20_000) }
                    continuation.resume(returning: !process.isRunning)
                }
            }
            #expect(exited, "crmsync serve did not stop within 15 s of SIGTERM")
            #expect(process.terminationStatus == 0)
        }
    }
}

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
