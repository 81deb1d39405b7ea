import ArgumentParser
import CRMSyncDatabase
import Foundation
import Logging
import PostgresClient

/// Options every command shares. Only the executable reads the environment; everything
/// below it receives plain values.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Folder holding sql/, policies/ and demo/ (default: $CRMSYNC_ROOT or the current folder).")
    var root: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = ProcessInfo.processInfo.environment["CRMSYNC_LOG_LEVEL"] ?? "warning"

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var rootURL: URL {
        URL(fileURLWithPath: self.root ?? self.environment["CRMSYNC_ROOT"] ?? FileManager.default.currentDirectoryPath)
    }

    var databaseSettings: DatabaseSettings { DatabaseSettings.fromEnvironment(self.environment) }

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: self.logLevel) ?? .warning
        return logger
    }

    /// The encryption key from `CRMSYNC_TOKEN_KEY` / `CRMSYNC_TOKEN_KEY_FILE`, required.
    func requiredSecretKey() throws -> SecretKey {
        guard let key = try SecretKey.fromEnvironment(self.environment) else {
            throw SecretKeyError.missing(variable: "CRMSYNC_TOKEN_KEY")
        }
        return key
    }

    /// Runs `body` on one administrator connection.
    func withAdminConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await PostgresConnection.connect(self.databaseSettings.admin, logger: self.logger("crmsync.postgres"))
        return try await body(connection)
    }
}

/// Prints an error as one line on stderr and exits non-zero: operators get a sentence,
/// never a stack trace, and never a secret (our errors' descriptions carry none).
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("crmsync: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
