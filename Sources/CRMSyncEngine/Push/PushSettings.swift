/// Lifetimes and timing of push channels (Google) and subscriptions (Graph).
public struct PushSettings: Sendable, Hashable {
    /// Requested lifetime of a Google channel (Google's maximum is undocumented; 7 days is common practice).
    public var googleChannelLifetime: Duration
    /// Requested lifetime of a Graph subscription (at most 10,080 minutes for Outlook events).
    public var graphSubscriptionLifetime: Duration
    /// Renew or replace a channel when less than this is left.
    public var renewalMargin: Duration
    /// How often the renewal service looks.
    public var renewalInterval: Duration
    /// Run the renewal service in this process (`crmsync serve` and `crmsync worker` alike).
    public var runRenewal: Bool

    public init(
        googleChannelLifetime: Duration = .seconds(7 * 86_400), graphSubscriptionLifetime: Duration = .seconds(3 * 86_400),
        renewalMargin: Duration = .seconds(86_400), renewalInterval: Duration = .seconds(300), runRenewal: Bool = true
    ) {
        self.googleChannelLifetime = googleChannelLifetime
        self.graphSubscriptionLifetime = graphSubscriptionLifetime
        self.renewalMargin = renewalMargin
        self.renewalInterval = renewalInterval
        self.runRenewal = runRenewal
    }
}

extension Duration {
    /// The duration in seconds, as `TimeInterval`.
    var timeInterval: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
