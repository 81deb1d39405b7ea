/// Reading one part of a message without the rest: its MIME header and its content in
/// pieces (RFC 3501 partial fetch, `BODY.PEEK[section]<offset.length>`), so an attachment can be
/// streamed with memory bounded by the piece size. PEEK: `\Seen` is never set.
extension IMAPClient {
    /// The bytes of `section` (an IMAP part path such as `2` or `1.2`, optionally with `.MIME`
    /// or `.HEADER`) of message `uid` in the examined folder, from `offset`, at most `length`
    /// bytes (all when nil). Empty once `offset` is past the end; nil when the message is gone.
    public func fetchSection(uid: UInt32, section: String, offset: Int? = nil, length: Int? = nil) async throws(MailTransportError)
        -> [UInt8]?
    {
        guard Self.isSectionPath(section) else { throw .protocolViolation("\"\(section.prefix(40))\" is not a section path") }
        var command = IMAPCommand("UID FETCH")
        command.raw(String(uid))
        var item = "BODY.PEEK[\(section)]"
        if let offset, let length { item += "<\(max(0, offset)).\(max(1, length))>" }
        command.raw("(UID \(item))")
        let result = try await self.run(command).requireOK(command)
        let wanted = "BODY[\(section.uppercased())]"
        for response in result.untagged {
            guard let fetch = try IMAPFetchResponse(response), fetch.uid == uid else { continue }
            // The answer names the section as asked, with `<offset>` when partial.
            if let bytes = fetch.sections.first(where: { $0.key.uppercased() == wanted || $0.key.uppercased().hasPrefix(wanted + "<") })?.value {
                return bytes
            }
        }
        return nil
    }

    /// Digits separated by dots, optionally ending in `.MIME`, `.HEADER` or `.TEXT`.
    static func isSectionPath(_ section: String) -> Bool {
        var parts = section.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if let last = parts.last, ["MIME", "HEADER", "TEXT"].contains(last.uppercased()) { parts.removeLast() }
        guard !parts.isEmpty, parts.count <= 32 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.count <= 6 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}
