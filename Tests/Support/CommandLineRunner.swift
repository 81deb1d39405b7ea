import Foundation

// SecretKey's text is internal to CRMSyncDatabase; the runner writes it to the executable's private key file.
@testable import CRMSyncDatabase

/// Runs the built `crmsync` executable (or another program: `crmsync-bench`, psql) the way an
/// operator would, and collects what it says. Shared by the CLI tests and the SQL script tests.
public enum CommandLineRunner {
    public static let executable = TestDatabase.projectRoot.appendingPathComponent(".build/debug/crmsync")
    public static let benchExecutable = TestDatabase.projectRoot.appendingPathComponent(".build/debug/crmsync-bench")

    public struct Outcome: Sendable {
        public var status: Int32
        /// stdout and stderr, interleaved.
        public var output: String
    }

    /// `environment` entries replace the test process's own; a `nil` value removes one.
    /// `input` is the program's standard input (else it reads an empty one).
    public static func run(_ arguments: [String], environment changes: [String: String?] = [:], input: String? = nil) async throws -> Outcome {
        try await self.run(self.executable, arguments, environment: changes, input: input)
    }

    /// Runs any program (psql, say) the same way.
    public static func run(
        _ program: URL, _ arguments: [String], environment changes: [String: String?] = [:], input: String? = nil
    ) async throws -> Outcome {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        try stdin.fileHandleForWriting.write(contentsOf: Data((input ?? "").utf8))
        try stdin.fileHandleForWriting.close()
        // Waiting blocks a thread: do it off the cooperative pool, which an in-process
        // sandbox needs in order to answer the very requests we are waiting on.
        let data = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }
        }
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// What a run wrote to each stream, kept apart (for "one line on stderr only").
    public struct Streams: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs the built `crmsync` with stdout and stderr captured separately.
    public static func runSeparated(_ arguments: [String], environment changes: [String: String?] = [:]) async throws -> Streams {
        let process = Process()
        process.executableURL = self.executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value }
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Both pipes are drained at once (a full one would block the child), off the cooperative pool.
        let (out, err) = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let group = DispatchGroup()
                let errData = DataBox()
                group.enter()
                DispatchQueue.global().async {
                    errData.set(stderr.fileHandleForReading.readDataToEndOfFile())
                    group.leave()
                }
                let outData = stdout.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: (outData, errData.get()))
            }
        }
        return Streams(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// Runs `body` with the environment that points the executable at `database`, its key in
    /// a private file (never on the command line) that is removed afterwards.
    public static func withEnvironment<T>(for database: TestDatabase, _ body: ([String: String?]) async throws -> T) async throws -> T {
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("crmsync-key-\(UUID().uuidString)")
        try Data(database.key.value.utf8).write(to: keyFile)
        defer { try? FileManager.default.removeItem(at: keyFile) }
        return try await body(try self.environment(for: database, keyFile: keyFile))
    }

    /// The environment that points the executable at a scratch database and its key.
    public static func environment(for database: TestDatabase, keyFile: URL) throws -> [String: String?] {
        [
            "DATABASE_URL": try database.admin.conninfoString(),
            "CRMSYNC_TOKEN_KEY": nil,
            "CRMSYNC_TOKEN_KEY_FILE": keyFile.path,
            "CRMSYNC_ROOT": database.root.path,
        ]
    }
}

/// One stream's bytes, handed from the thread that read them to the one that waits.
/// `@unchecked Sendable`: every access holds the lock.
private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func set(_ data: Data) { self.lock.withLock { self.data = data } }
    func get() -> Data { self.lock.withLock { self.data } }
}
