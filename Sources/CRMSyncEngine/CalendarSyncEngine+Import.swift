import CRMSyncDatabase
import CRMSyncProviders
import Foundation

extension CalendarSyncEngine {
    /// How many times one run restarts a listing whose cursor expired.
    static let maxListingRestarts = 2

    /// Lists the provider's changes from the stored cursor (or the whole window) and imports
    /// them page by page. An expired cursor restarts the listing over the whole window; the
    /// import only ever applies what it sees, so nothing is deleted for being absent.
    /// While a page is imported the next one is already being listed (one request ahead, the
    /// provider's time overlapping the database's); a page is still imported only after the
    /// one before it. Returns the cursor to store.
    func importChanges(
        client: any CalendarClient, account: SyncAccount, options: SyncOptions, run: inout SyncRun,
        from start: ListPosition? = nil
    ) async throws -> SyncCursor {
        var position: ListPosition = start ?? (options.full ? .full : .start(from: account.cursor))
        var restarts = 0
        // The ids a full listing saw, to find mapped events that no longer exist (providers
        // such as Graph list nothing at all for a deleted event).
        var seen: Set<String>? = { if case .full = position { return [] } else { return nil } }()
        // The next page, listed while the previous one was imported.
        var prefetched: Result<EventPage, ProviderError>?
        while true {
            try Task.checkCancellation()
            let page: EventPage
            let listed: Result<EventPage, ProviderError>
            if let ready = prefetched {
                listed = ready
                prefetched = nil
            } else {
                listed = await Self.list(client, position)
            }
            switch listed {
            case .success(let value):
                page = value
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
            // cancelled (and awaited) when this page's import throws
            async let following = Self.list(client, next: page.next)
            let events = try await self.confirmRemovals(page.events, client: client, account: account)
            try await self.importPage(events, account: account, run: &run)
            try await self.recordProgress(run, owner: account.owner)
            options.progress(.importedPage(number: run.pages, events: page.events.count, counts: run.counts))
            switch page.next {
            case .page(let continuation):
                position = .continuation(continuation)
                prefetched = await following
            case .done(let cursor):
                _ = await following
                if let seen { try await self.importVanished(seen: seen, client: client, account: account, run: &run) }
                return cursor
            }
        }
    }

    /// After a complete full listing: mapped events the listing did not show although their
    /// appointment lies well inside the window no longer exist. They are imported as removed,
    /// so the account's strategy decides (delete the appointment, or create the event again),
    /// exactly as for a deletion an incremental listing reports. Only a listing that reached
    /// its last page gets here, so a partial listing never deletes anything. Occurrences of
    /// series count like single events: a complete listing expands every series, so an
    /// occurrence it does not show was deleted (while the cursor was expired, say).
    func importVanished(seen: Set<String>, client: any CalendarClient, account: SyncAccount, run: inout SyncRun) async throws {
        let margin = 86_400.0
        let from = Date().addingTimeInterval(-Double(self.listing.windowBack.components.seconds) + margin)
        let until = Date().addingTimeInterval(Double(self.listing.windowAhead.components.seconds) - margin)
        let mapped = try await self.store.mappedEventIDs(account: account.id, from: from, until: until, as: account.owner)
        let vanished = mapped.filter { !seen.contains($0) }.sorted()
        guard !vanished.isEmpty else { return }
        let removals = vanished.map { CalendarEvent(id: $0, status: .removed) }
        try await self.importPage(try await self.confirmRemovals(removals, client: client, account: account), account: account, run: &run)
        try await self.recordProgress(run, owner: account.owner)
    }

    /// A removal (Graph's `@removed`, or an event missing from a complete listing) is not
    /// proof of a deletion: Graph's delta also reports as removed the events that exist but lie
    /// outside the window (created there, by our own export too, or moved there). For each
    /// removal of an event mapped to a live appointment, the event is read: deleted (404/410,
    /// or a cancelled event) keeps the removal, else the event as it is replaces it, so the
    /// appointment follows it (moved out of the window) instead of being deleted. Removals of
    /// unmapped events cost nothing (the import ignores them).
    func confirmRemovals(_ events: [CalendarEvent], client: any CalendarClient, account: SyncAccount) async throws -> [CalendarEvent] {
        let removed = events.compactMap { $0.status == .removed ? $0.id : nil }
        guard !removed.isEmpty else { return events }
        let mapped = try await self.store.mappedAmong(removed, account: account.id, as: account.owner)
        guard !mapped.isEmpty else { return events }
        var current: [String: CalendarEvent] = [:]
        for id in Set(mapped).sorted() {
            switch await Self.read(client, id) {
            case .success(let event):
                if !event.isTombstone, event.id == id { current[id] = event }
            case .failure(.gone):
                break  // really deleted: the removal stands
            case .failure(let error):
                throw error
            }
        }
        return events.map { event in
            guard event.status == .removed, let id = event.id, let live = current[id] else { return event }
            return live
        }
    }

    /// One event read, its typed error as a value.
    private static func read(_ client: any CalendarClient, _ id: String) async -> Result<CalendarEvent, ProviderError> {
        do {
            return .success(try await client.event(id: id))
        } catch {
            return .failure(error)
        }
    }

    /// The request for the page after one (nil after the last page).
    private static func list(_ client: any CalendarClient, next: EventPage.Next) async -> Result<EventPage, ProviderError>? {
        guard case .page(let continuation) = next else { return nil }
        return await Self.list(client, .continuation(continuation))
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
