/// Where an IMAP or SMTP server listens and how the connection is secured.
///
/// Plain-text connections are not offered: every connection is TLS, either from the first
/// byte (`implicitTLS`: IMAPS 993, SMTPS 465) or upgraded before login (`startTLS`: 143, 587).
public struct MailServerEndpoint: Sendable, Equatable {
    public enum Security: String, Sendable {
        case implicitTLS, startTLS
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// A CA certificate (PEM file) to trust. When set it replaces the system bundle for this
    /// connection (libcurl's CURLOPT_CAINFO); tests pass the Dovecot self-signed certificate.
    public var caCertificateFile: String?

    public init(host: String, port: Int, security: Security, caCertificateFile: String? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.caCertificateFile = caCertificateFile
    }

    /// `scheme://host:port/path`, IPv6 literals bracketed.
    func url(scheme: String, path: String = "") -> String {
        let host = self.host.contains(":") && !self.host.hasPrefix("[") ? "[\(self.host)]" : self.host
        return "\(scheme)://\(host):\(self.port)/\(path)"
    }

    /// `host:port`, for log lines and error texts.
    var displayName: String { "\(self.host):\(self.port)" }
}
