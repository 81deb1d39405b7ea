import CCurl

/// Maps a libcurl result to the transport's error.
///
/// `phase` says whether the failure happened while connecting (TLS, greeting, login) or on a
/// live connection: a timeout while connecting means the server is unreachable, a timeout later
/// means it stopped answering.
enum CurlPhase {
    case connecting, live
}

extension MailTransportError {
    static func fromCurl(
        _ code: CURLcode, detail: String, endpoint: MailServerEndpoint, phase: CurlPhase
    ) -> MailTransportError {
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let text = "\(endpoint.displayName): \(reason)"
        switch code {
        case CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR, CURLE_REMOTE_ACCESS_DENIED:
            return .authenticationFailed(text)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .unreachable(text)
        case CURLE_OPERATION_TIMEDOUT:
            return phase == .connecting ? .unreachable(text) : .timedOut(text)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_CLIENTCERT:
            return .certificate(text)
        case CURLE_USE_SSL_FAILED:
            return .certificate("\(endpoint.displayName): the server does not offer STARTTLS")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            return phase == .connecting ? .unreachable(text) : .connectionLost(text)
        case CURLE_WEIRD_SERVER_REPLY, CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .protocolViolation(text)
        default:
            return phase == .connecting ? .unreachable(text) : .connectionLost(text)
        }
    }
}
