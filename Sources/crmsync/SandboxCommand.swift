import ArgumentParser
import Foundation
import ProviderSandbox

/// `crmsync sandbox`: the local emulator of Google's and Microsoft's APIs.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve a local emulator of Google Calendar, Google OAuth, Microsoft Graph and Microsoft login "
            + "(point clients at it with CRMSYNC_SANDBOX_URL=http://127.0.0.1:PORT).")

    @OptionGroup var options: GlobalOptions

    @Option(help: "Port to listen on (0 picks a free one and prints it).")
    var port: Int = 8099

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Seed for ids, etags and tokens (same seed, same run).")
    var seed: UInt64 = 1

    func run() async throws {
        try await reportingErrors {
            guard (0...65535).contains(self.port) else { throw ValidationError("--port must be 0...65535") }
            var configuration = SandboxConfiguration(host: self.host, port: self.port)
            configuration.seed = self.seed
            let sandbox = ProviderSandbox(configuration: configuration, logger: self.options.logger("crmsync.sandbox"))
            try await sandbox.run { port in
                // Written straight to the descriptor: scripts wait for this line through a pipe.
                FileHandle.standardOutput.write(Data("sandbox listening on http://\(self.host):\(port)\n".utf8))
            }
        }
    }
}
