import CRMSyncDatabase
import CRMSyncProviders
import Foundation

/// Sending queued mail through Gmail (`messages.send`) or Graph (`sendMail` with the MIME).
///
/// Neither call is idempotent, so before any retry (an earlier attempt was interrupted, or its
/// reply was lost) the provider is asked whether the message already went: Gmail by
/// `rfc822msgid:` search, Graph by the Message-ID among Sent Items. Both providers file the sent
/// copy themselves; the next sync adopts the outbox's row for it.
extension OutboxSender {
    func sendThroughAPI(
        _ items: [EmailOutboxItem], account: EmailStore.Account, provider: APIMailProvider, api: MailAPIAccess, record: Record
    ) async throws -> [Outcome] {
        let tokens = try await api.tokens(account: account.id, provider: provider, owner: account.owner)
        var outcomes: [Outcome] = []
        for item in items {
            if Task.isCancelled { break }  // the rest stay claimed and are re-checked at the provider when stale
            var outcome = Outcome(outboxID: item.id, messageID: item.messageID, result: .sent)
            do {
                switch provider {
                case .gmail:
                    let client = api.gmail(tokens)
                    if item.attempts > 1 || item.wasSending, try await !client.messageIDs(rfc822MessageID: item.messageID).isEmpty {
                        outcome.result = .alreadySent
                    } else {
                        let thread = try await self.store.threadID(of: item.inReplyTo, account: account.id, as: account.owner)
                        _ = try await client.send(raw: Self.withBcc(item), threadId: thread)
                    }
                case .outlook:
                    let client = api.graph(tokens)
                    if item.attempts > 1 || item.wasSending, try await client.sentMessageExists(internetMessageID: item.messageID) {
                        outcome.result = .alreadySent
                    } else {
                        try await client.sendMIME(Self.withBcc(item))
                    }
                }
            } catch let error as ProviderError {
                switch error {
                case .rejected(let status, _, _) where status != 408 && status != 429:
                    outcome.result = .failed
                default:
                    outcome.result = .retry
                }
                outcome.error = "\(provider == .gmail ? "Gmail" : "Microsoft Graph"): \(error.description)"
            }
            try await record(item, outcome)
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// The message with a `Bcc:` header when it has blind copies: the APIs take the recipients
    /// from the headers (and strip Bcc from what they deliver), where SMTP took the envelope.
    static func withBcc(_ item: EmailOutboxItem) -> Data {
        guard !item.bccAddresses.isEmpty else { return item.rawMIME }
        return Data("Bcc: \(item.bccAddresses.joined(separator: ", "))\r\n".utf8) + item.rawMIME
    }
}
