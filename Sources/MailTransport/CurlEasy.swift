import CCurl
import Foundation

/// One libcurl easy handle and its error buffer.
///
/// Not thread-safe: the owner touches it from one serial queue only. `@unchecked Sendable`
/// lets that owner hand it to its queue; every call happens on that queue (or in `deinit`,
/// when nobody else holds a reference).
final class CurlEasy: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    /// libcurl writes the last error's text here (CURLOPT_ERRORBUFFER, at least 256 bytes).
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Strings libcurl keeps pointers to (older libcurls copy, but slists do not).
    private var recipients: UnsafeMutablePointer<curl_slist>?

    /// curl_global_init is not thread-safe before 7.84 and must run once: a lazily
    /// initialized static (swift_once) does exactly that, and holds no mutable state.
    private static let globalInit: CURLcode = crmsync_curl_global_init()

    init() throws(MailTransportError) {
        guard Self.globalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw .unreachable("libcurl could not be initialized")
        }
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        _ = crmsync_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, self.errorBuffer)
        // Never signals (we run on our own threads); never a proxy from the environment.
        _ = crmsync_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = crmsync_curl_setopt_string(handle, CURLOPT_NOPROXY, "*")
    }

    deinit {
        curl_easy_cleanup(self.handle)
        if let recipients { curl_slist_free_all(recipients) }
        self.errorBuffer.deallocate()
    }

    /// The text of the last error, empty when libcurl left none.
    var lastError: String {
        String(cString: self.errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func clearError() { self.errorBuffer[0] = 0 }

    func set(_ option: CURLoption, _ value: Int) {
        _ = crmsync_curl_setopt_long(self.handle, option, value)
    }

    /// libcurl copies string options (since 7.17), so the Swift string may go away after.
    func set(_ option: CURLoption, _ value: String) {
        _ = crmsync_curl_setopt_string(self.handle, option, value)
    }

    func setRecipients(_ values: [String]) {
        if let recipients { curl_slist_free_all(recipients) }
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values { list = curl_slist_append(list, value) }
        self.recipients = list
        _ = crmsync_curl_setopt_pointer(self.handle, CURLOPT_MAIL_RCPT, list)
    }

    /// TLS settings, trust and login shared by IMAP and SMTP. `timeout` bounds connecting,
    /// the TLS handshake and each server reply during login.
    func configure(endpoint: MailServerEndpoint, credential: MailCredential, timeout: Duration) {
        let milliseconds = max(1, Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        self.set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds)
        self.set(CURLOPT_SERVER_RESPONSE_TIMEOUT, max(1, milliseconds / 1000))
        if endpoint.security == .startTLS { self.set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
        self.set(CURLOPT_SSL_VERIFYPEER, 1)
        self.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let file = endpoint.caCertificateFile { self.set(CURLOPT_CAINFO, file) }
        self.set(CURLOPT_USERNAME, credential.username)
        switch credential {
        case .password(_, let password):
            self.set(CURLOPT_PASSWORD, password)
        case .xoauth2(_, let token):
            // Not CURLOPT_HTTPAUTH: with it libcurl prefers OAUTHBEARER when the server offers it.
            self.set(CURLOPT_XOAUTH2_BEARER, token)
            self.set(CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2")
            self.set(CURLOPT_SASL_IR, 1)
        }
    }

    func perform() -> CURLcode { curl_easy_perform(self.handle) }

    func responseCode() -> Int {
        var code = 0
        _ = crmsync_curl_getinfo_long(self.handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }
}
