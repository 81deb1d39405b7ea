import CoreMetrics
import Foundation
import Prometheus

/// The service's metrics, kept in one Prometheus registry that `GET /metrics` renders.
///
/// Each server owns its registry (nothing global), so tests can run several servers in one
/// process and read each one's figures.
public struct ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
        ]
        self.factory = factory
    }

    /// The text exposition format.
    public func render() -> String { self.registry.emitToString() }

    // MARK: sync

    /// One finished sync run.
    public func syncRun(provider: String, status: String) {
        Counter(label: "crmsync_sync_runs_total", dimensions: [("provider", provider), ("status", status)], factory: self.factory)
            .increment()
    }

    /// Events a run moved, by direction (`imported`, `exported`, `updated`, `deleted`).
    public func events(provider: String, direction: String, count: Int) {
        guard count > 0 else { return }
        Counter(label: "crmsync_sync_events_total", dimensions: [("provider", provider), ("direction", direction)], factory: self.factory)
            .increment(by: count)
    }

    /// Conflicts a run detected.
    public func conflicts(provider: String, count: Int) {
        guard count > 0 else { return }
        Counter(label: "crmsync_sync_conflicts_total", dimensions: [("provider", provider)], factory: self.factory)
            .increment(by: count)
    }

    /// A run that failed because the provider refused crmsync's OAuth client (the operator
    /// must register a working one; see `oauth_client_status`).
    public func oauthClientRejected(provider: String) {
        Counter(label: "crmsync_oauth_client_rejections_total", dimensions: [("provider", provider)], factory: self.factory)
            .increment()
    }

    /// Accounts due for a sync now (sampled).
    public func dueAccounts(_ count: Int) {
        Gauge(label: "crmsync_due_accounts", factory: self.factory).record(count)
    }

    // MARK: mail

    /// A message through the outbox, by `status`: `queued` (a new outbox row through the API),
    /// `replayed` (a repeated Idempotency-Key answered with the first row); then the worker's
    /// outcome: `sent`, `already_sent` (found at the provider), `retry` or `failed`.
    public func mailSend(status: String) {
        Counter(label: "crmsync_mail_sends_total", dimensions: [("status", status)], factory: self.factory).increment()
    }

    /// One mail sync run of the worker, by status, and the messages it changed.
    public func mailRun(status: String, imported: Int, updated: Int, deleted: Int) {
        Counter(label: "crmsync_mail_runs_total", dimensions: [("status", status)], factory: self.factory).increment()
        for (change, count) in [("imported", imported), ("updated", updated), ("deleted", deleted)] where count > 0 {
            Counter(label: "crmsync_mail_messages_total", dimensions: [("change", change)], factory: self.factory)
                .increment(by: Int64(count))
        }
    }

    /// A person asked for a mail sync through the API.
    public func mailSyncRequested() {
        Counter(label: "crmsync_mail_sync_requests_total", factory: self.factory).increment()
    }

    // MARK: providers

    /// One provider HTTP request: latency and status (0 when no response came).
    public func providerRequest(provider: String, status: Int, duration: Duration) {
        Counter(
            label: "crmsync_provider_requests_total", dimensions: [("provider", provider), ("status", String(status))],
            factory: self.factory
        ).increment()
        Timer(label: "crmsync_provider_request_duration_seconds", dimensions: [("provider", provider)], factory: self.factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// A wait before a retry: a rate limit (`Retry-After`) or backoff after a transient failure.
    public func retryWait(_ duration: Duration) {
        Timer(label: "crmsync_provider_retry_wait_seconds", factory: self.factory).recordNanoseconds(duration.nanoseconds)
    }

    // MARK: HTTP service

    /// A webhook delivery, accepted or rejected.
    public func webhookDelivery(provider: String, accepted: Bool) {
        Counter(
            label: "crmsync_webhook_deliveries_total",
            dimensions: [("provider", provider), ("outcome", accepted ? "accepted" : "rejected")], factory: self.factory
        ).increment()
    }

    /// A caller refused at the door: `missing` (no bearer token) or `invalid` (did not verify).
    public func authenticationRefused(reason: String) {
        Counter(label: "crmsync_api_auth_refused_total", dimensions: [("reason", reason)], factory: self.factory).increment()
    }

    /// A push channel or subscription renewed, replaced or failed.
    public func pushRenewal(provider: String, outcome: String) {
        Counter(
            label: "crmsync_push_renewals_total", dimensions: [("provider", provider), ("outcome", outcome)], factory: self.factory
        ).increment()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
