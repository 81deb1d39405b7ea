import CRMSyncDatabase
import CRMSyncProviders
import CRMSyncSupport
import Foundation

/// Keeps a mailbox's push registration alive, after each of its syncs: Gmail's `users.watch`
/// (renewed once a day old; it lasts 7 days) and Graph's subscription on the Inbox's messages
/// (replaced when less than a day is left). A push only marks the account due; the stored
/// cursor stays the truth, so a registration that fails costs latency, never mail: the failure
/// is reported with the run and the account is polled meanwhile.
struct MailPushUpkeep {
    var api: MailAPIAccess
    var store: EmailStore

    func renew(
        _ account: EmailStore.Account, provider: APIMailProvider, tokens: any AccessTokenProvider, folders: [String],
        report: inout MailSyncReport, now: Date = Date()
    ) async {
        let expires = account.pushExpiresAt ?? .distantPast
        do {
            switch provider {
            case .gmail:
                guard let topic = self.api.gmailPushTopic, expires < now.addingTimeInterval(MailAPIAccess.gmailWatchRenewal) else { return }
                let watch = try await self.api.gmail(tokens).watch(topicName: topic, labelIds: folders)
                try await self.store.recordPushExpiry(account: account.id, expiresAt: watch.expiration, as: account.owner)
            case .outlook:
                guard let url = self.api.graphNotificationURL, expires < now.addingTimeInterval(MailAPIAccess.graphSubscriptionRenewal)
                else { return }
                let secret = Base64URL.randomToken()  // 43 characters; Graph allows 128 in clientState
                let subscription = try await self.api.graph(tokens).subscribeToInbox(
                    notificationURL: url, clientState: secret, expiration: now.addingTimeInterval(MailAPIAccess.graphSubscriptionLifetime))
                try await self.store.recordPushSubscription(
                    account: account.id, subscriptionID: subscription.id, secretHash: SHA256.hash(Array(secret.utf8)),
                    expiresAt: subscription.expiration, as: account.owner)
            }
        } catch {
            let name = provider == .gmail ? "Gmail watch" : "Graph subscription"
            report.errors.append(MailSyncErrorDetail(message: "\(name) could not be registered: \(error)"))
        }
    }
}
