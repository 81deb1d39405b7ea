import Foundation

/// Mail sent through any sandbox provider reaches the recipients' sandbox mailboxes.
extension SandboxState {
    /// Delivers `raw` (RFC 822, Bcc already removed) to each recipient that has a sandbox mailbox.
    func deliverSandboxMail(_ raw: Data, recipients: [String]) {
        self.gmailDeliver(raw, recipients: recipients)
    }
}
