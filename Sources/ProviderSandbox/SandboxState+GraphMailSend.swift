import CRMSyncMIME
import CRMSyncSupport
import Foundation

/// `POST /me/sendMail`: MIME as base64 text (or the JSON message form), a copy in the sender's
/// Sent Items, and delivery to every recipient that has a sandbox Outlook mailbox.
extension SandboxState {
    func graphSendMail(_ email: String, _ request: SandboxRequest) -> Reply {
        let raw: Data
        var save = true
        // The JSON form's Bcc: the MIME built from it carries no Bcc header.
        var blind: [String] = []
        if request.header("content-type")?.lowercased().hasPrefix("text/plain") == true {
            let text = String(decoding: request.body, as: UTF8.self)
            guard let decoded = Data(base64Encoded: text, options: .ignoreUnknownCharacters), !decoded.isEmpty else {
                return self.graphError(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")
            }
            raw = decoded
        } else {
            guard let body = request.jsonBody, let message = body["message"]?.object else {
                return self.graphError(400, "ErrorInvalidRequest", "Empty Payload. JSON content expected.")
            }
            save = body["saveToSentItems"]?.bool ?? true
            blind = (message["bccRecipients"]?.array ?? []).compactMap { $0["emailAddress"]?["address"]?.string }
            raw = Self.mime(from: message, sender: email, now: self.now)
        }
        let parsed = MIMEParser().parse(raw)
        let recipients = (parsed.to + parsed.cc + parsed.bcc).map { $0.address.lowercased() } + blind.map { $0.lowercased() }
        guard !recipients.isEmpty else {
            return self.graphError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
        }
        if save { self.graphStoreMessage(email, raw: raw, folder: "sentitems", isRead: true) }
        self.deliverSandboxMail(Self.removingHeader("bcc", from: raw), recipients: recipients)
        return Reply(status: 202)
    }

    /// Delivers `raw` (its Bcc header removed) to the inbox of each recipient that has an
    /// Outlook mailbox here, unread. Returns those addresses.
    @discardableResult
    func graphDeliver(_ raw: Data, recipients: [String]) -> [String] {
        let copy = Self.removingHeader("bcc", from: raw)
        var delivered: [String] = []
        for address in Set(recipients.map { $0.lowercased() }).sorted() where self.graphMailboxes[address] != nil {
            self.graphStoreMessage(address, raw: copy, folder: "inbox", isRead: false)
            delivered.append(address)
        }
        return delivered
    }

    /// The message without any field named `name` (folded lines included).
    nonisolated static func removingHeader(_ name: String, from raw: Data) -> Data {
        let bytes = [UInt8](raw)
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var bodyStart = bytes.count
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 10).map { $0 + 1 } ?? bytes.count
            let line = bytes[start..<end]
            if line.allSatisfy({ $0 == 13 || $0 == 10 }) { bodyStart = start; break }
            lines.append(line)
            start = end
        }
        var kept: [UInt8] = []
        var dropping = false
        let prefix = Array((name + ":").utf8)
        for line in lines {
            if let first = line.first, first == 32 || first == 9 {
                if !dropping { kept += line }
                continue
            }
            dropping = line.count >= prefix.count && zip(line, prefix).allSatisfy { a, b in (a | 0x20) == (b | 0x20) }
            if !dropping { kept += line }
        }
        return Data(kept + bytes[min(bodyStart, bytes.count)...])
    }

    /// MIME for the JSON form of `sendMail` (subject, body, To/Cc/Bcc).
    nonisolated static func mime(from message: [String: JSONValue], sender: String, now: Date) -> Data {
        func addresses(_ field: String) -> [MailAddress] {
            (message[field]?.array ?? []).compactMap { item in
                item["emailAddress"]?["address"]?.string.map { MailAddress(name: item["emailAddress"]?["name"]?.string, address: $0) }
            }
        }
        let content = message["body"]?["content"]?.string ?? ""
        let html = message["body"]?["contentType"]?.string?.lowercased() == "html"
        let draft = MailDraft(
            date: now, from: MailAddress(address: sender), to: addresses("toRecipients"), cc: addresses("ccRecipients"),
            subject: message["subject"]?.string ?? "",
            text: html ? Self.preview(content) : content, html: html ? content : nil)
        return Data(MIMEBuilder.build(draft))
    }
}
