import Foundation
import Logging

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Outgoing HTTP from the sandbox to receivers: notifications and Graph's validation handshake.
enum WebhookClient {
    /// POSTs a message; returns the status (nil on a network error or timeout).
    @discardableResult
    static func post(_ message: WebhookMessage, timeout: TimeInterval = 10, logger: Logger) async -> (status: Int?, body: Data) {
        guard let url = URL(string: message.url) else { return (nil, Data()) }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        for (name, value) in message.headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = message.body ?? Data()
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode
            logger.debug("webhook delivered", metadata: ["url": .string(message.url), "status": .string(String(status ?? 0))])
            return (status, data)
        } catch {
            logger.debug("webhook failed", metadata: ["url": .string(message.url), "error": .string("\(error)")])
            return (nil, Data())
        }
    }

    /// Graph's handshake: POST `url?validationToken=…`; the receiver must answer 200 with the
    /// token as its body within 10 seconds.
    static func validate(_ url: String, token: String, logger: Logger) async -> Bool {
        let target = FormEncoding.append([("validationToken", token)], to: url)
        let message = WebhookMessage(url: target, headers: [("Content-Type", "text/plain; charset=utf-8")], body: nil)
        let (status, body) = await Self.post(message, timeout: 10, logger: logger)
        return status == 200 && String(decoding: body, as: UTF8.self) == token
    }
}
