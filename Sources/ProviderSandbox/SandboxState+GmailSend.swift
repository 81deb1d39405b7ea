import CRMSyncMIME
import CRMSyncSupport
import Foundation

/// `messages.send` (JSON `{raw, threadId}` or the media upload of `message/rfc822`): the
/// sender's copy is stored with `SENT`, and every To/Cc/Bcc recipient with a sandbox mailbox
/// gets a copy in `INBOX`, threaded with the parent it already holds. Recipients' copies lose
/// the Bcc header; the sender's copy keeps it, as Gmail's Sent does.
extension SandboxState {
    func gmailSend(_ email: String, _ request: SandboxRequest) -> Reply {
        let raw: Data
        var threadId: String?
        if request.header("content-type")?.lowercased().hasPrefix("message/rfc822") == true {
            raw = request.body
        } else {
            guard let body = request.jsonBody, let text = body["raw"]?.string, let decoded = Base64URL.decode(text), !decoded.isEmpty else {
                return GmailError.invalidArgument("'raw' RFC822 payload message string or uploading message via /upload/* URL required")
            }
            raw = decoded
            threadId = body["threadId"]?.string
        }
        let parsed = MIMEParser().parse(raw)
        let recipients = (parsed.to + parsed.cc + parsed.bcc).map { $0.address.lowercased() }
        guard !recipients.isEmpty else { return GmailError.invalidArgument("Invalid To header") }
        let stamped = parsed.messageID == nil ? Self.gmailAddingHeader("Message-ID", "<\(self.gmailId())@mail.gmail.com>", to: raw) : raw
        let mailbox = self.gmailMailbox(email)
        let thread = threadId.flatMap { id in mailbox.messages.values.contains { $0.threadId == id } ? id : nil }
        let sent = self.gmailInsert(email, raw: stamped, labelIds: ["SENT"], threadId: thread)
        self.deliverSandboxMail(Self.gmailStrippingBcc(stamped), recipients: recipients)
        return .json(200, .object(sent.refWithLabels))
    }

    /// Delivers a copy of `raw` to each recipient with a sandbox Gmail mailbox (`INBOX`,
    /// `UNREAD`; the sender's own address gets `INBOX` on its sent copy instead).
    func gmailDeliver(_ raw: Data, recipients: [String]) {
        let messageId = MIMEParser(options: .init(maxBodyBytes: 1)).parse(raw).messageID
        for recipient in Self.gmailUnique(recipients.map { $0.lowercased() }) where self.gmailMailboxes[recipient] != nil {
            let own = self.gmailMailboxes[recipient]?.messages.values.first {
                $0.rfc822MessageId == messageId && messageId != nil && $0.labelIds.contains("SENT")
            }
            if let own {
                _ = self.gmailModify(recipient, id: own.id, add: ["INBOX", "UNREAD"], remove: [])
            } else {
                self.gmailInsert(recipient, raw: raw, labelIds: ["INBOX", "UNREAD"], threadId: nil)
            }
        }
    }

    /// `raw` with one header field added at the top.
    static func gmailAddingHeader(_ name: String, _ value: String, to raw: Data) -> Data {
        Data("\(name): \(value)\r\n".utf8) + raw
    }

    /// `raw` without its Bcc field (continuation lines included); the body is untouched.
    static func gmailStrippingBcc(_ raw: Data) -> Data {
        let bytes = [UInt8](raw)
        var output: [UInt8] = []
        var index = 0
        var dropping = false
        while index < bytes.count {
            var end = index
            while end < bytes.count && bytes[end] != 10 { end += 1 }
            let line = Array(bytes[index..<min(bytes.count, end + 1)])
            let content = line.filter { $0 != 13 && $0 != 10 }
            if content.isEmpty {
                output += bytes[index...]
                break
            }
            if content.first == 32 || content.first == 9 {
                if !dropping { output += line }
            } else {
                dropping = String(decoding: content.prefix(4), as: UTF8.self).lowercased() == "bcc:"
                if !dropping { output += line }
            }
            index = end + 1
        }
        return Data(output)
    }
}
