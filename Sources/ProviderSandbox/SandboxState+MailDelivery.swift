import Foundation

/// Mail between sandbox users: whatever one provider sends arrives in every mailbox the
/// recipients have here, at Gmail and at Outlook.
extension SandboxState {
    /// Delivers `raw` (RFC 822, Bcc already removed) to each recipient that has a sandbox mailbox.
    func deliverSandboxMail(_ raw: Data, recipients: [String]) {
        self.gmailDeliver(raw, recipients: recipients)
        _ = self.graphDeliver(raw, recipients: recipients)
    }
}
