import Foundation

/// Mail between sandbox users: whatever one provider sends arrives in the mailboxes the
/// recipients have here.
extension SandboxState {
    /// Delivers `raw` to each recipient that has a sandbox mailbox (Outlook here).
    func deliverSandboxMail(_ raw: Data, recipients: [String]) {
        self.graphDeliver(raw, recipients: recipients)
    }
}
