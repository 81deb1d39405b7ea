import CRMSyncEngine
import CRMSyncMail
import Foundation

/// A setting `crmsync serve` cannot start without, or one that makes no sense.
public enum ServerConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(String, hint: String)
    case invalid(String, reason: String)

    public var description: String {
        switch self {
        case .missing(let name, let hint): "\(name) is not set: \(hint)"
        case .invalid(let name, let reason): "\(name) is invalid: \(reason)"
        }
    }
}

extension ServerConfiguration {
    /// Reads the settings the README lists (`CRMSYNC_PUBLIC_URL`, `CRMSYNC_JWT_SECRET` or
    /// `CRMSYNC_JWT_SECRET_FILE` or `CRMSYNC_JWKS_FILE`, …). Values of secrets never appear in
    /// an error.
    public static func fromEnvironment(_ environment: [String: String]) throws(ServerConfigurationError) -> ServerConfiguration {
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        }
        func file(_ name: String) throws(ServerConfigurationError) -> String? {
            guard let path = value(name) else { return nil }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .invalid(name, reason: "cannot read the file it names")
            }
            return text
        }
        func url(_ name: String) throws(ServerConfigurationError) -> URL? {
            guard let text = value(name) else { return nil }
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw .invalid(name, reason: "must be an absolute http(s) URL")
            }
            return url
        }

        guard let publicBaseURL = try url("CRMSYNC_PUBLIC_URL") else {
            throw .missing("CRMSYNC_PUBLIC_URL", hint: "the service's public base URL (OAuth redirects and webhooks derive from it)")
        }
        var secret = value("CRMSYNC_JWT_SECRET")
        if secret == nil, let text = try file("CRMSYNC_JWT_SECRET_FILE") {
            secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let jwks = try file("CRMSYNC_JWKS_FILE")
        guard secret != nil || jwks != nil else {
            throw .missing(
                "CRMSYNC_JWT_SECRET", hint: "set it (HS256 secret), CRMSYNC_JWT_SECRET_FILE, or CRMSYNC_JWKS_FILE (RS256/ES256 keys)")
        }
        if let secret, secret.utf8.count < 32 {
            throw .invalid("CRMSYNC_JWT_SECRET", reason: "an HS256 secret must be at least 32 bytes")
        }
        let audiences = (value("CRMSYNC_JWT_AUDIENCE") ?? "authenticated")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(ServerConfigurationError) -> Int {
            guard let text = value(name) else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                throw .invalid(name, reason: "must be an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        var configuration = ServerConfiguration(
            host: value("CRMSYNC_HOST") ?? "127.0.0.1",
            port: try integer("CRMSYNC_PORT", default: 8080, range: 0...65535),
            publicBaseURL: publicBaseURL,
            returnURL: try url("CRMSYNC_RETURN_URL"),
            jwt: JWTSettings(
                hmacSecret: secret, jwksJSON: jwks, audiences: audiences,
                leeway: TimeInterval(try integer("CRMSYNC_JWT_LEEWAY_SECONDS", default: 30, range: 0...300))),
            maxBodyBytes: try integer("CRMSYNC_MAX_BODY_BYTES", default: 64 * 1024, range: 1024...(16 * 1024 * 1024)),
            workerConcurrency: try integer(
                "CRMSYNC_WORKER_CONCURRENCY", default: BackgroundSettings.defaultWorkerConcurrency, range: 1...64),
            workerPollInterval: .seconds(
                try integer("CRMSYNC_WORKER_POLL_SECONDS", default: Int(BackgroundSettings.defaultPollInterval.components.seconds), range: 1...3600)))
        configuration.idleTimeout = .seconds(
            try integer(
                "CRMSYNC_HTTP_IDLE_TIMEOUT_SECONDS", default: Int(ServerConfiguration.defaultIdleTimeout.components.seconds), range: 1...3600))
        configuration.webhookBaseURL = try url("CRMSYNC_WEBHOOK_URL")
        if let token = value("CRMSYNC_GMAIL_PUSH_TOKEN") {
            guard token.utf8.count >= 32, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) else {
                throw .invalid("CRMSYNC_GMAIL_PUSH_TOKEN", reason: "must be at least 32 letters, digits, - or _ (it travels in a URL)")
            }
            configuration.gmailPushToken = token
        }
        configuration.push = try Self.pushSettings(environment)
        configuration.mailTrust = MailTrust.fromEnvironment(environment)
        configuration.gmailPushTopic = value("CRMSYNC_GMAIL_PUSH_TOPIC")
        return configuration
    }

    /// `CRMSYNC_PUSH_*`: push channel lifetimes and renewal timing (`crmsync serve` and
    /// `crmsync worker` read the same ones).
    public static func pushSettings(_ environment: [String: String]) throws(ServerConfigurationError) -> PushSettings {
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(ServerConfigurationError) -> Int {
            guard let text = environment[name].flatMap({ $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 })
            else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                throw .invalid(name, reason: "must be an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        let push = PushSettings(
            googleChannelLifetime: .seconds(60 * (try integer("CRMSYNC_PUSH_GOOGLE_CHANNEL_MINUTES", default: 7 * 1440, range: 60...(30 * 1440)))),
            graphSubscriptionLifetime: .seconds(60 * (try integer("CRMSYNC_PUSH_GRAPH_SUBSCRIPTION_MINUTES", default: 3 * 1440, range: 60...10_080))),
            renewalMargin: .seconds(60 * (try integer("CRMSYNC_PUSH_RENEWAL_MARGIN_MINUTES", default: 1440, range: 10...(7 * 1440)))),
            renewalInterval: .seconds(try integer("CRMSYNC_PUSH_RENEWAL_INTERVAL_SECONDS", default: 300, range: 10...86_400)))
        guard push.renewalMargin < push.graphSubscriptionLifetime, push.renewalMargin < push.googleChannelLifetime else {
            throw .invalid("CRMSYNC_PUSH_RENEWAL_MARGIN_MINUTES", reason: "must be shorter than the channel and subscription lifetimes")
        }
        return push
    }
}
