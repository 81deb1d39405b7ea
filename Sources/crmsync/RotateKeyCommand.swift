import ArgumentParser
import CRMSyncDatabase
import Foundation

/// `crmsync rotate-key`: re-encrypts every secret from the old key to the new one.
struct RotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Re-encrypt every secret from CRMSYNC_OLD_TOKEN_KEY to CRMSYNC_TOKEN_KEY, in batches (resumable).")

    @OptionGroup var options: GlobalOptions

    @Option(help: "Rows per table per batch.")
    var batchSize: Int = 500

    func run() async throws {
        try await reportingErrors {
            guard self.batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
            let newKey = try self.options.requiredSecretKey()
            guard let oldKey = try SecretKey.fromEnvironment(self.options.environment, variable: "CRMSYNC_OLD_TOKEN_KEY") else {
                throw SecretKeyError.missing(variable: "CRMSYNC_OLD_TOKEN_KEY")
            }
            let rotation = KeyRotation(oldKey: oldKey, newKey: newKey, batchSize: self.batchSize)
            let counts = try await self.options.withAdminConnection { connection in
                try await rotation.run(on: connection) { batch in
                    let moved = batch.values.reduce(0, +)
                    if moved > 0 { print("batch: \(moved) secrets re-encrypted") }
                }
            }
            for table in counts.keys.sorted() { print("\(table): \(counts[table] ?? 0) re-encrypted") }
            print("rotation complete")
        }
    }
}
