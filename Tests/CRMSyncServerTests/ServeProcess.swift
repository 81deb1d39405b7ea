import CRMSyncTestSupport
import Foundation

@testable import CRMSyncDatabase

/// `crmsync serve` (the built executable) as its own process on this test's database and
/// sandbox, so its memory is measured apart from the tests running beside it.
final class ServeProcess {
    let process: Process
    let url: URL
    var pid: String { String(self.process.processIdentifier) }

    private init(process: Process, url: URL) {
        self.process = process
        self.url = url
    }

    static func start(_ harness: ServerHarness, mailCAFile: String) async throws -> ServeProcess {
        let process = Process()
        process.executableURL = CommandLineRunner.executable
        process.arguments = ["serve", "--port", "0", "--no-worker"]
        var environment = ProcessInfo.processInfo.environment
        let changes: [String: String?] = [
            "DATABASE_URL": try harness.database.admin.conninfoString(), "CRMSYNC_TOKEN_KEY": harness.database.key.value,
            "CRMSYNC_TOKEN_KEY_FILE": nil, "CRMSYNC_ROOT": harness.database.root.path, "CRMSYNC_PUBLIC_URL": "http://127.0.0.1:1",
            "CRMSYNC_JWT_SECRET": ServerHarness.jwtSecret, "CRMSYNC_JWT_SECRET_FILE": nil, "CRMSYNC_JWKS_FILE": nil,
            "CRMSYNC_SANDBOX_URL": harness.sandbox.absoluteString, "CRMSYNC_MAIL_CA_FILE": mailCAFile, "CRMSYNC_APP_DATABASE_URL": nil,
        ]
        for (key, value) in changes { environment[key] = value }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
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
        guard let url = line.split(separator: " ").last.flatMap({ URL(string: String($0)) }), url.port != nil else {
            process.terminate()
            throw TestSetupError("crmsync serve did not start: \(line)")
        }
        return ServeProcess(process: process, url: url)
    }

    func stop() {
        if self.process.isRunning {
            self.process.terminate()
            self.process.waitUntilExit()
        }
    }
}
