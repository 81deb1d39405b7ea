import CRMSyncDatabase
import CRMSyncProviders
import Foundation

extension CalendarSyncEngine {
    /// Sends the appointments changed in the CRM to the provider, batch by batch, and records
    /// each batch's results (new etags included) in one transaction. An appointment is tried
    /// at most once per run, so one that keeps failing cannot keep the run going.
    func exportChanges(client: any CalendarClient, account: SyncAccount, options: SyncOptions, run: inout SyncRun) async throws {
        var attempted = Set<UUID>()
        while true {
            try Task.checkCancellation()
            let batch = try await self.store.exportBatch(account: account.id, limit: options.exportBatchSize, as: account.owner)
                .map(ExportItem.init)
            let fresh = batch.filter { !attempted.contains($0.appointmentID) }
            guard !fresh.isEmpty else { return }
            var results: [ExportResult] = []
            do {
                for item in fresh {
                    attempted.insert(item.appointmentID)
                    results.append(try await self.export(item, client: client))
                }
            } catch {
                // Whatever reached the provider before the failure is recorded first, so the
                // next run does not create or update it again.
                try await self.record(results, account: account, run: &run)
                throw error
            }
            try await self.record(results, account: account, run: &run)
            try await self.recordProgress(run, owner: account.owner)
            run.exportBatches += 1
            options.progress(.exportedBatch(number: run.exportBatches, appointments: fresh.count, counts: run.counts))
            if batch.count < options.exportBatchSize { return }
        }
    }

    /// Sends one appointment. Failures that end the run (dead grant, provider unavailable)
    /// are thrown; an appointment the provider refuses becomes an `error` result.
    func export(_ item: ExportItem, client: any CalendarClient) async throws -> ExportResult {
        var result = ExportResult(
            appointmentID: item.appointmentID, action: .error, externalEventID: item.externalEventID, etag: item.etag,
            crmVersion: item.crmVersion)
        do {
            switch item.action {
            case .create:
                let created = try await self.create(item, client: client)
                result.action = .created
                result.externalEventID = created.id
                result.etag = created.etag
            case .update:
                guard item.externalEventID != nil else { throw ImportEvent.Invalid(description: "update without an event id") }
                let updated = try await client.update(try item.event(), ifMatch: item.etag)
                result.action = .updated
                result.etag = updated.etag
            case .delete:
                guard let id = item.externalEventID else { result.action = .gone; return result }
                try await client.delete(id: id, ifMatch: item.etag)
                result.action = .deleted
            }
        } catch let error as ProviderError {
            switch error {
            case .gone:
                result.action = .gone
            case .conflict:
                return try await self.conflict(result, client: client)
            case .rejected, .invalidResponse, .invalidArgument:
                result.error = error.description
            default:
                throw error
            }
        } catch let error as ImportEvent.Invalid {
            result.error = error.description
        }
        return result
    }

    /// Creates the appointment's event with an id derived from the appointment (so a retried
    /// create finds the first one). When that id already belongs to a deleted event (the
    /// calendar deleted it and the CRM side won), a fresh id derived from the appointment and
    /// its version is used instead.
    private func create(_ item: ExportItem, client: any CalendarClient) async throws -> CalendarEvent {
        let event = try item.event()
        do {
            let created = try await client.create(event)
            if !created.isTombstone { return created }
        } catch ProviderError.gone {}
        // Still deterministic, so a retried create finds the event the first attempt made;
        // an outcome that is itself deleted (the re-created event was deleted too) moves on.
        for attempt in 0..<3 {
            var fresh = event
            let id = item.recreateID(attempt: attempt)
            if client is GoogleCalendarClient {
                // A fresh event id; the private property still names the appointment, so an
                // import after a crash before recording links the event instead of duplicating it.
                fresh.id = GoogleEventID.derive(from: id)
            } else {
                // Graph: a fresh transactionId (it is what makes a retried POST idempotent).
                fresh.id = nil
                fresh.clientId = id
            }
            do {
                let created = try await client.create(fresh)
                if !created.isTombstone { return created }
            } catch ProviderError.gone {}
        }
        throw ProviderError.rejected(status: 409, reason: "duplicate", message: "every derived event id is taken by a deleted event")
    }

    /// The provider refused a stale `If-Match`: fetch its version so the SQL function can
    /// apply the account's strategy (or keep both for a person).
    private func conflict(_ result: ExportResult, client: any CalendarClient) async throws -> ExportResult {
        var result = result
        guard let id = result.externalEventID else { return result }
        do {
            let remote = try await client.event(id: id)
            result.action = .conflict
            result.remote = try ImportEvent(remote)
            result.etag = remote.etag
        } catch ProviderError.gone {
            result.action = .gone
        } catch let error as ImportEvent.Invalid {
            result.error = error.description
        }
        return result
    }

    /// One call of `public.record_calendar_exports` for a batch's results.
    private func record(_ results: [ExportResult], account: SyncAccount, run: inout SyncRun) async throws {
        guard !results.isEmpty else { return }
        try await self.store.recordExports(account: account.id, results, as: account.owner)
        for result in results {
            result.count(into: &run.counts)
            if result.action == .error {
                run.errors.append(
                    SyncErrorDetail(
                        phase: "export", eventID: result.externalEventID, appointmentID: result.appointmentID,
                        message: result.error ?? "export failed"))
            }
        }
    }
}
