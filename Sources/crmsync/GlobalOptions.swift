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

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: $CRMSYNC_LOG_LEVEL or warning).")
    var logLevel: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var rootURL: URL {
        URL(fileURLWithPath: self.root ?? self.environment["CRMSYNC_ROOT"] ?? FileManager.default.currentDirectoryPath)
    }

    var databaseSettings: DatabaseSettings { get throws { try DatabaseSettings.fromEnvironment(self.environment) } }

    /// A logger on stderr at the level asked for (`--log-level`, else `CRMSYNC_LOG_LEVEL`),
    /// else at `defaultLevel`: a one-shot command that reports its own outcome passes
    /// `.critical`, so the outcome is one line, not also a log line.
    func logger(_ label: String, defaultLevel: Logger.Level = .warning) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        let asked = self.logLevel ?? self.environment["CRMSYNC_LOG_LEVEL"]
        logger.logLevel = asked.flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
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

/// Prints an error as one line on stderr and exits non-zero: operators get a sentence
/// (`OperatorMessage`), never a stack trace, and never a secret (our errors' descriptions carry none).
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("crmsync: \(OperatorMessage.describe(error))\n".utf8))
        throw ExitCode.failure
    }
}
