import CRMSyncDatabase
import CRMSyncMail
import Foundation

/// A forward quotes the original below the sender's text: its header lines and, when the
/// caller may read it (their own mail, or a mailbox shared at the `full` level), its text. What
/// the sharing level hides stays hidden in the forward too. Its subject is "Fwd: " the
/// original's unless the sender gave one.
enum MailForward {
    static func apply(_ original: EmailOutboxStore.ReferencedMessage, to mail: inout OutgoingMail) {
        var lines = ["", "---------- Forwarded message ---------"]
        if let from = original.fromAddress { lines.append("From: \(from)") }
        if let date = original.date { lines.append("Date: \(date.formatted(.iso8601))") }
        if let subject = original.subject { lines.append("Subject: \(subject)") }
        if !original.toAddresses.isEmpty { lines.append("To: \(original.toAddresses.joined(separator: ", "))") }
        if !original.ccAddresses.isEmpty { lines.append("Cc: \(original.ccAddresses.joined(separator: ", "))") }
        lines.append("")
        if let body = original.bodyText { lines.append(body) }
        let quoted = lines.joined(separator: "\n")
        mail.text += (mail.text.isEmpty ? "" : "\n") + quoted
        if let html = mail.html {
            mail.html = html + "<br><pre>" + Self.escape(quoted) + "</pre>"
        }
        if mail.subject == nil {
            let subject = original.subject ?? ""
            mail.subject = subject.lowercased().hasPrefix("fwd:") ? subject : "Fwd: \(subject)"
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
