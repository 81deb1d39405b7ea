import CRMSyncDatabase
import Foundation
import MailTransport

/// Which folders of a mailbox are synced, and what each is to the CRM.
///
/// By default INBOX and the Sent folder: the one marked `\Sent` (RFC 6154), else the first
/// folder with a usual Sent name. An account's `sync_folders` names them instead.
enum FolderSelection {
    /// Names servers give the Sent folder when they do not mark it (iCloud's, Outlook's, Gmail's).
    static let usualSentNames = ["Sent", "Sent Messages", "Sent Items", "Sent Mail", "[Gmail]/Sent Mail", "INBOX.Sent"]

    struct Choice: Sendable, Equatable {
        var name: String
        var role: EmailFolderRole
    }

    static func choose(from folders: [IMAPFolder], configured: [String]?) -> [Choice] {
        let selectable = folders.filter(\.isSelectable)
        let sent = Self.sentFolder(in: selectable)
        func role(of name: String) -> EmailFolderRole {
            if name.uppercased() == "INBOX" { return .inbox }
            return name == sent?.name ? .sent : .other
        }
        if let configured, !configured.isEmpty {
            return configured.compactMap { wanted in
                selectable.first { $0.name == wanted || (wanted.uppercased() == "INBOX" && $0.name.uppercased() == "INBOX") }
                    .map { Choice(name: $0.name, role: role(of: $0.name)) }
            }
        }
        var choices: [Choice] = []
        if let inbox = selectable.first(where: { $0.name.uppercased() == "INBOX" }) {
            choices.append(Choice(name: inbox.name, role: .inbox))
        }
        if let sent { choices.append(Choice(name: sent.name, role: .sent)) }
        return choices
    }

    static func sentFolder(in folders: [IMAPFolder]) -> IMAPFolder? {
        folders.first { $0.specialUse == .sent || $0.attributes.contains("\\sent") }
            ?? Self.usualSentNames.lazy.compactMap { name in folders.first { $0.name.caseInsensitiveCompare(name) == .orderedSame } }.first
    }
}
