import CRMSyncSupport
import Foundation

/// Outlook's per-mailbox limit of 4 concurrent requests on the mail routes. The sandbox answers
/// on an actor, so a request holds its slot for a configurable latency (control API, default
/// 0) or until a hold is lifted, to make concurrency observable; the fifth request in flight gets
/// 429 `ApplicationThrottled`.
extension SandboxState {
    static let mailboxConcurrency = 4

    /// What a mail request may do after authentication and the concurrency check.
    enum MailAdmission: Sendable {
        case refused(Reply)
        /// Run as `email`, holding a slot for `latencyMs` first; release afterwards.
        case admitted(email: String, latencyMs: Int)
    }

    /// Authenticates a mail request and takes one of its mailbox's slots.
    func graphMailAdmit(_ request: SandboxRequest) -> MailAdmission {
        guard let email = self.authenticate(request, .microsoft) else {
            return .refused(self.asUser(request, .microsoft) { _ in .noContent })
        }
        let key = email.lowercased()
        _ = self.graphMailbox(key)
        var traffic = self.graphMailTraffic[key] ?? MailboxTraffic()
        traffic.requests += 1
        if Self.immutableIds(request) { traffic.immutableIdRequests += 1 }
        guard traffic.inFlight < Self.mailboxConcurrency else {
            traffic.throttled += 1
            self.graphMailTraffic[key] = traffic
            return .refused(self.graphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.").adding("Retry-After", "1"))
        }
        traffic.inFlight += 1
        traffic.maxInFlight = max(traffic.maxInFlight, traffic.inFlight)
        self.graphMailTraffic[key] = traffic
        return .admitted(email: key, latencyMs: self.graphMailLatencyMs)
    }

    func graphMailRelease(_ email: String) {
        self.graphMailTraffic[email.lowercased()]?.inFlight -= 1
    }

    /// Control API: how long each mail request holds its slot.
    func setGraphMailLatency(_ milliseconds: Int) {
        self.graphMailLatencyMs = max(0, milliseconds)
    }

    /// Waits while mail requests are held.
    func graphMailWaitWhileHeld() async {
        guard self.graphMailHold != nil else { return }
        await withCheckedContinuation { self.graphMailHold?.append($0) }
    }

    /// Control API: hold admitted mail requests (each keeps its slot) or let them all go.
    func setGraphMailHold(_ hold: Bool) {
        let waiting = self.graphMailHold ?? []
        self.graphMailHold = hold ? (self.graphMailHold ?? []) : nil
        if !hold { waiting.forEach { $0.resume() } }
    }

    /// Control API: the mailbox's request figures.
    func graphMailTrafficReply(email: String) -> Reply {
        .json(200, (self.graphMailTraffic[email.lowercased()] ?? MailboxTraffic()).json)
    }
}
