import CRMSyncDatabase
import CRMSyncProviders
import Foundation
import Logging

/// Two-way sync of one calendar account, one run at a time.
///
/// A thin courier: it reads the account and its tokens in the owner's worker session, lists
/// the provider's changes page by page into `public.import_calendar_events`, sends the
/// appointments `public.calendar_export_batch` hands out to the provider, records the results
/// with `public.record_calendar_exports`, and logs the run with `start_calendar_sync` /
/// `finish_calendar_sync`. Every decision about what an event means for the CRM (echo,
/// conflicts, strategies, deletions) is made by those SQL functions under row-level security.
public struct CalendarSyncEngine: Sendable {
    /// The database, as the service's login role.
    public var database: TenantDatabase
    /// Where the providers' APIs live.
    public var endpoints: ProviderEndpoints
    /// Transport, retries and clock for provider calls.
    public var http: ProviderHTTPClient
    /// Window and page size of listings.
    public var listing: ListingOptions
    /// Where runs are logged.
    public var logger: Logger

    /// The sync bookkeeping in the database.
    var store: SyncStore { SyncStore(database: self.database) }

    /// Creates an engine.
    public init(
        database: TenantDatabase, endpoints: ProviderEndpoints, http: ProviderHTTPClient = ProviderHTTPClient(),
        listing: ListingOptions = ListingOptions(), logger: Logger = Logger(label: "crmsync.engine")
    ) {
        self.database = database
        self.endpoints = endpoints
        self.http = http
        self.listing = listing
        self.logger = logger
    }

    /// Runs one sync of `account` as `owner` and logs it in `calendar_sync_log`.
    ///
    /// Throws only when the run cannot start (the account is not visible to `owner`) or
    /// its log cannot be written; every other failure ends in a `failed` report.
    public func sync(account id: UUID, as owner: Identity, options: SyncOptions = SyncOptions()) async throws -> SyncReport {
        guard
            let (stored, logID) = try await self.store.start(
                account: id, trigger: options.trigger.rawValue, direction: options.direction.rawValue, as: owner)
        else { throw SyncError.accountNotFound(id) }
        let account = try SyncAccount(stored)
        var run = SyncRun(full: options.full || account.cursor == nil)
        run.logID = logID
        options.progress(.started(full: run.full))
        var logger = self.logger
        logger[metadataKey: "account"] = "\(id.uuidString.lowercased())"
        do {
            let client = try await self.client(for: account)
            if options.direction.imports {
                run.nextCursor = try await self.importChanges(client: client, account: account, options: options, run: &run)
            }
            if options.direction.exports {
                let before = run.counts.exported
                try await self.exportChanges(client: client, account: account, options: options, run: &run)
                // The cursor was taken before the export wrote: list once more so it covers our
                // own writes (they come back as echoes and change nothing). Otherwise an event we
                // created and the person deleted before the next run is unknown to the cursor,
                // and a provider may then leave its deletion out of the next listing.
                if options.direction.imports, run.counts.exported > before, let cursor = run.nextCursor {
                    run.nextCursor = try await self.importChanges(
                        client: client, account: account, options: options, run: &run, from: .start(from: cursor))
                }
            }
        } catch {
            run.fail(error)
            if let reason = run.reconnectReason {
                try? await self.markReconnect(account: account, reason: reason)
            }
            if let reason = run.clientRejectedReason {
                // Reported once per refused client (the first run that meets it), not once per
                // account and run; the operator sees it in oauth_client_status until fixed.
                let first = (try? await self.reportClientRejected(account: account, reason: reason)) ?? true
                if first {
                    logger.error(
                        "the provider refused the OAuth client; register a valid one with crmsync oauth-client set",
                        metadata: ["provider": "\(account.provider.rawValue)", "reason": "\(reason)"])
                }
            }
            logger.warning("sync failed", metadata: ["error": "\(run.failure ?? "")"])
        }
        let report = run.report(account: id, logID: logID)
        if let logID {
            try await self.finish(logID: logID, owner: owner, run: run, report: report)
        }
        logger.info(
            "sync finished",
            metadata: ["status": "\(report.status.rawValue)", "imported": "\(report.counts.imported)", "exported": "\(report.counts.exported)"])
        return report
    }
}
