import CRMSyncEngine
import CRMSyncMail
import Foundation

/// How `crmsync serve` runs. Built from the environment by `fromEnvironment`, or directly
/// by tests; nothing below the command reads the environment.
public struct ServerConfiguration: Sendable {
    /// Address and port the HTTP server binds.
    public var host: String
    public var port: Int
    /// The service's address as providers and browsers reach it: the OAuth redirect URI
    /// (`<base>/oauth/<provider>/callback`) and the webhook addresses derive from it.
    public var publicBaseURL: URL
    /// Where the browser goes after the OAuth callback, with `status=connected&account=…`
    /// or `status=error&error=<code>` appended.
    public var returnURL: URL
    /// Callers' token verification.
    public var jwt: JWTSettings
    /// Request bodies larger than this are refused with 413.
    public var maxBodyBytes: Int
    /// Run the sync worker in this process (`--no-worker` turns it off).
    public var runWorker: Bool
    /// Accounts synced at once (`BackgroundSettings` documents the default).
    public var workerConcurrency: Int
    /// Fallback poll of the worker when no notification arrives (`BackgroundSettings`).
    public var workerPollInterval: Duration
    /// A connection that sends nothing for this long is closed: before its request head is
    /// complete (a half-sent or dribbled header), between body parts, or idle between
    /// requests. A request being answered is not cut. Bounds what slow clients hold.
    public var idleTimeout: Duration = ServerConfiguration.defaultIdleTimeout
    /// 30 seconds.
    public static let defaultIdleTimeout: Duration = .seconds(30)
    /// Push channel and subscription lifetimes and renewal timing.
    public var push: PushSettings = PushSettings()
    /// Where providers deliver webhooks, when they reach the service by another address than
    /// browsers do (docker compose: the sandbox container posts to `http://crmsync:8080`).
    /// Nil: `publicBaseURL`.
    public var webhookBaseURL: URL?
    /// The secret Gmail's Pub/Sub push endpoint carries (`/webhooks/gmail?token=…`,
    /// `CRMSYNC_GMAIL_PUSH_TOKEN`); nil = Gmail push not in use (the route answers 404).
    public var gmailPushToken: String?
    /// The certificates iCloud/IMAP servers' TLS is checked against when a mailbox is
    /// connected with a password (`CRMSYNC_MAIL_CA_FILE`; default: the system's).
    public var mailTrust: MailTrust = MailTrust()
    /// Whether the worker (`runWorker`) also syncs due mailboxes and sends their outboxes.
    public var runMailWorker = true
    /// The Pub/Sub topic Gmail mailboxes are watched on (`CRMSYNC_GMAIL_PUSH_TOPIC`); nil: no watch.
    public var gmailPushTopic: String?

    /// The background services' settings (the rest keep `BackgroundSettings`' defaults).
    public var background: BackgroundSettings {
        BackgroundSettings(workerConcurrency: self.workerConcurrency, pollInterval: self.workerPollInterval, push: self.push)
    }

    public struct JWTSettings: Sendable {
        /// HS256 shared secret (Supabase's JWT secret).
        public var hmacSecret: String?
        /// A JSON Web Key Set (RS256/ES256 public keys).
        public var jwksJSON: String?
        /// Accepted `aud` values.
        public var audiences: [String]
        /// Clock skew tolerated on `exp`/`nbf`, in seconds.
        public var leeway: TimeInterval

        public init(hmacSecret: String?, jwksJSON: String?, audiences: [String] = ["authenticated"], leeway: TimeInterval = 30) {
            self.hmacSecret = hmacSecret
            self.jwksJSON = jwksJSON
            self.audiences = audiences
            self.leeway = leeway
        }
    }

    public init(
        host: String = "127.0.0.1", port: Int = 8080, publicBaseURL: URL, returnURL: URL? = nil, jwt: JWTSettings,
        maxBodyBytes: Int = 64 * 1024, runWorker: Bool = true,
        workerConcurrency: Int = BackgroundSettings.defaultWorkerConcurrency,
        workerPollInterval: Duration = BackgroundSettings.defaultPollInterval
    ) {
        self.host = host
        self.port = port
        self.publicBaseURL = publicBaseURL
        self.returnURL = returnURL ?? publicBaseURL.appending(path: "oauth/complete")
        self.jwt = jwt
        self.maxBodyBytes = maxBodyBytes
        self.runWorker = runWorker
        self.workerConcurrency = workerConcurrency
        self.workerPollInterval = workerPollInterval
    }

    /// The OAuth redirect URI registered with `provider` (`google` or `outlook`).
    public func callbackURL(provider: String) -> URL {
        self.publicBaseURL.appending(path: "oauth/\(provider)/callback")
    }

    /// Where a provider delivers push notifications (`google` or `microsoft`).
    public func webhookURL(_ provider: String) -> URL {
        Self.webhookURL(base: self.webhookBaseURL ?? self.publicBaseURL, provider: provider)
    }

    /// Where a provider delivers push notifications, under the service's public base URL.
    public static func webhookURL(base: URL, provider: String) -> URL {
        base.appending(path: "webhooks/\(provider)")
    }
}
