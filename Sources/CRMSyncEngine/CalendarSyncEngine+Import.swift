import CRMSyncDatabase
import CRMSyncProviders
import Foundation

extension CalendarSyncEngine {
    /// How many times one run restarts a listing whose cursor expired.
    static let maxListingRestarts = 2

    /// Lists the provider's changes from the stored cursor (or the whole window) and imports
    /// them page by page. An expired cursor restarts the listing over the whole window; the
    /// import only ever applies what it sees, so nothing is deleted for being absent.
    /// Returns the cursor to store.
    func importChanges(
        client: any CalendarClient, account: SyncAccount, options: SyncOptions, run: inout SyncRun,
        from start: ListPosition? = nil
    ) async throws -> SyncCursor {
        var position: ListPosition = start ?? (options.full ? .full : .start(from: account.cursor))
        var restarts = 0
        // The ids a full listing saw, to find mapped events that no longer exist (providers
        // such as Graph list nothing at all for a deleted event).
        var seen: Set<String>? = { if case .full = position { return [] } else { return nil } }()
        while true {
            try Task.checkCancellation()
            let page: EventPage
            switch await Self.list(client, position) {
            case .success(let listed):
                page = listed
            case .failure(.cursorExpired) where restarts < Self.maxListingRestarts:
                restarts += 1
                run.cursorExpired = true
                run.full = true
                position = .full
                seen = []
                options.progress(.restartedFull)
                continue
            case .failure(let error):
                throw error
            }
            run.pages += 1
            if seen != nil { for event in page.events { if let id = event.id { seen?.insert(id) } } }
            try await self.importPage(page.events, account: account, run: &run)
            options.progress(.importedPage(number: run.pages, events: page.events.count, counts: run.counts))
            switch page.next {
            case .page(let continuation): position = .continuation(continuation)
            case .done(let cursor):
                if let seen { try await self.importVanished(seen: seen, account: account, run: &run) }
                return cursor
            }
        }
    }

    /// After a complete full listing: mapped events the listing did not show although their
    /// appointment lies well inside the window no longer exist. They are imported as removed,
    /// so the account's strategy decides (delete the appointment, or create the event again),
    /// exactly as for a deletion an incremental listing reports. Only a listing that reached
    /// its last page gets here, so a partial listing never deletes anything.
    func importVanished(seen: Set<String>, account: SyncAccount, run: inout SyncRun) async throws {
        let margin = 86_400.0
        let from = Date().addingTimeInterval(-Double(self.listing.windowBack.components.seconds) + margin)
        let until = Date().addingTimeInterval(Double(self.listing.windowAhead.components.seconds) - margin)
        let mapped = try await self.store.mappedEventIDs(account: account.id, from: from, until: until, as: account.owner)
        let vanished = mapped.filter { !seen.contains($0) }.sorted()
        guard !vanished.isEmpty else { return }
        try await self.importPage(vanished.map { CalendarEvent(id: $0, status: .removed) }, account: account, run: &run)
    }

    /// One listing request, its typed error as a value.
    private static func list(_ client: any CalendarClient, _ position: ListPosition) async -> Result<EventPage, ProviderError> {
        do {
            return .success(try await client.listPage(position))
        } catch {
            return .failure(error)
        }
    }

    /// Imports one page with one SQL call. Events that cannot be converted are counted as
    /// errors and left out; when the database refuses the page, its events are retried one
    /// by one so that a single bad event does not hold up the others.
    func importPage(_ events: [CalendarEvent], account: SyncAccount, run: inout SyncRun) async throws {
        var payload: [ImportEvent] = []
        payload.reserveCapacity(events.count)
        for event in events {
            do {
                payload.append(try ImportEvent(event))
            } catch {
                run.record(SyncErrorDetail(phase: "import", eventID: event.id, message: error.description))
            }
        }
        guard !payload.isEmpty else { return }
        do {
            try await self.importBatch(payload, account: account, run: &run)
        } catch let error as DatabaseError where error.isStatementError && payload.count > 1 {
            var failures = 0
            for event in payload {
                do {
                    try await self.importBatch([event], account: account, run: &run)
                } catch let single as DatabaseError where single.isStatementError {
                    failures += 1
                    run.record(SyncErrorDetail(phase: "import", eventID: event.id, message: single.description))
                }
            }
            // Every event failing alone means the page was never the problem.
            if failures == payload.count { throw error }
        }
    }

    /// One call of `public.import_calendar_events`, in its own transaction.
    private func importBatch(_ events: [ImportEvent], account: SyncAccount, run: inout SyncRun) async throws {
        for row in try await self.store.importEvents(account: account.id, events, as: account.owner) {
            let outcome = row.outcome
            if let known = ImportOutcome(rawValue: outcome), known != .invalid {
                known.count(into: &run.counts)
            } else {
                run.record(
                    SyncErrorDetail(phase: "import", eventID: row.externalEventID, message: outcome == "invalid" ? "the event could not be read" : "unknown import outcome \(outcome)"))
            }
        }
    }
}
