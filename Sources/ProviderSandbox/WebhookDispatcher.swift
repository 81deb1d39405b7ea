import Logging
import ServiceLifecycle

/// Delivers queued webhook messages one at a time, in order, off the request path (so the
/// request that caused a change never waits for its notification).
struct WebhookDispatcher: Service {
    let messages: AsyncStream<WebhookMessage>
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await message in self.messages {
                await WebhookClient.post(message, logger: self.logger)
            }
        }
    }
}
