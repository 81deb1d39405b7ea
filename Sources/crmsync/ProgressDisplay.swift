import CRMSyncEngine
import Foundation

/// Progress of a sync on stdout: a bar redrawn in place on a terminal, plain lines otherwise.
struct ProgressDisplay: Sendable {
    let terminal: Bool

    func show(_ step: SyncProgress) {
        switch step {
        case .started(let full):
            self.line(full ? "listing the whole calendar window" : "listing changes since the last sync")
        case .restartedFull:
            self.line("the sync cursor expired: listing the whole window again")
        case .importedPage(let number, let events, let counts):
            self.update("import page \(number): \(events) events", counts)
        case .exportedBatch(let number, let appointments, let counts):
            self.update("export batch \(number): \(appointments) appointments", counts)
        }
    }

    /// Ends the progress line of a run that failed; the failure is reported on stderr.
    func abandon() {
        if self.terminal { print("") }
    }

    func finish(_ report: SyncReport) {
        if self.terminal { print("") }
        let counts = report.counts
        print(
            "sync \(report.status.rawValue): imported \(counts.imported), exported \(counts.exported), updated \(counts.updated), "
                + "deleted \(counts.deleted), conflicts \(counts.conflicts), errors \(counts.errors)")
        for detail in report.errors {
            let subject = detail.eventID.map { " event \($0)" } ?? detail.appointmentID.map { " appointment \($0.uuidString.lowercased())" } ?? ""
            print("  \(detail.phase)\(subject): \(detail.message)")
        }
        if report.needsReconnect { print("the account must be connected again (crmsync connect)") }
    }

    private func update(_ what: String, _ counts: SyncCounts) {
        let done = counts.imported + counts.exported + counts.unchanged + counts.conflicts + counts.errors
        guard self.terminal else {
            print("\(what) (imported \(counts.imported), exported \(counts.exported), errors \(counts.errors))")
            return
        }
        // The total is unknown until the listing ends: the bar approaches full as items come.
        let filled = min(30, Int(30 * (1 - 1 / (1 + Double(done) / 200))))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
        // Unbuffered, so the bar shows at once.
        FileHandle.standardOutput.write(Data("\r[\(bar)] \(what), \(done) handled\u{1B}[K".utf8))
    }

    private func line(_ text: String) {
        print(text)
    }
}
