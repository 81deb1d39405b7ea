import Foundation

/// One run of wrk (the HTTP load generator) and the figures read from its report.
struct WrkRun {
    var requestsPerSecond: Double
    var p50Milliseconds: Double
    var p99Milliseconds: Double
    /// Non-2xx/3xx responses plus socket errors.
    var failures: Int

    static func measure(url: String, script: URL?, connections: Int, threads: Int, seconds: Int) throws -> WrkRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["wrk", "--latency", "-t", String(threads), "-c", String(connections), "-d", "\(seconds)s"]
        if let script { arguments += ["-s", script.path] }
        process.arguments = arguments + [url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch { throw APILoadError.wrkMissing }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            if process.terminationStatus == 127 { throw APILoadError.wrkMissing }
            throw APILoadError.wrkFailed(text.split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)")
        }
        return try Self.parse(text)
    }

    /// Reads `Requests/sec:`, the 50 % and 99 % lines of `--latency`, `Non-2xx or 3xx responses:`
    /// and `Socket errors:` from wrk's report.
    static func parse(_ report: String) throws -> WrkRun {
        var run = WrkRun(requestsPerSecond: 0, p50Milliseconds: 0, p99Milliseconds: 0, failures: 0)
        var sawRate = false
        for line in report.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if line.hasPrefix("Requests/sec:"), let value = fields.last.flatMap(Double.init) {
                run.requestsPerSecond = value
                sawRate = true
            } else if fields.count == 2, fields[0] == "50%" {
                run.p50Milliseconds = try Self.milliseconds(fields[1])
            } else if fields.count == 2, fields[0] == "99%" {
                run.p99Milliseconds = try Self.milliseconds(fields[1])
            } else if line.hasPrefix("Non-2xx or 3xx responses:"), let value = fields.last.flatMap(Int.init) {
                run.failures += value
            } else if line.hasPrefix("Socket errors:") {
                // "Socket errors: connect 0, read 0, write 0, timeout 0"
                run.failures += fields.compactMap { Int($0.trimmingCharacters(in: CharacterSet(charactersIn: ","))) }.reduce(0, +)
            }
        }
        guard sawRate else { throw APILoadError.wrkFailed("no Requests/sec in its report") }
        return run
    }

    /// wrk's durations: `812.00us`, `1.23ms`, `2.01s`.
    static func milliseconds(_ text: String) throws -> Double {
        for (unit, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where text.hasSuffix(unit) {
            if let value = Double(text.dropLast(unit.count)) { return value * scale }
        }
        throw APILoadError.wrkFailed("unreadable duration \(text)")
    }
}
