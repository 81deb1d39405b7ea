import CRMSyncMail
import Foundation

/// Progress of a mail sync on stdout: a line redrawn in place on a terminal, plain lines otherwise.
struct MailProgressDisplay: Sendable {
    let terminal: Bool

    func show(_ step: MailSyncProgress) {
        switch step {
        case .folder(let name, let new):
            if self.terminal, new == 0 { return }
            if self.terminal { print("") }
            print("\(name): \(new) new")
        case .imported(let folder, let done, let total):
            if self.terminal {
                let filled = total == 0 ? 30 : 30 * done / total
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
                FileHandle.standardOutput.write(Data("\r[\(bar)] \(folder) \(done)/\(total)\u{1B}[K".utf8))
            } else {
                print("\(folder): \(done)/\(total) imported")
            }
        }
    }

    func finish(_ report: MailSyncReport) {
        if self.terminal { print("") }
        // IMAP runs count their commands; Gmail and Graph runs send none.
        let imap = report.roundTrips > 0 ? ", IMAP round trips \(report.roundTrips)" : ""
        print(
            "mail sync \(report.status.rawValue): imported \(report.imported), updated \(report.updated), "
                + "deleted \(report.deleted), errors \(report.errors.count)\(imap)")
        for detail in report.errors {
            let place = [detail.folder, detail.uid.map { "uid \($0)" }].compactMap { $0 }.joined(separator: " ")
            print("  \(place.isEmpty ? "" : place + ": ")\(detail.message)")
        }
    }

    func show(_ outcome: OutboxSender.Outcome) {
        let reason = outcome.error.map { ": \($0)" } ?? ""
        print("<\(outcome.messageID)> \(outcome.result.rawValue.replacingOccurrences(of: "_", with: " "))\(reason)")
    }
}
