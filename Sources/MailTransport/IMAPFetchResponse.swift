import Foundation

/// The items of one `* n FETCH (…)` response.
struct IMAPFetchResponse {
    var sequence: UInt32
    var uid: UInt32?
    var flags: [String]?
    var modSeq: UInt64?
    var internalDate: Date?
    var size: Int?
    var body: [UInt8]?
    /// Other sections by their item name as the server wrote it, upper-cased (`BODY[2]<0>`, `BODY[2.MIME]`).
    var sections: [String: [UInt8]] = [:]

    /// nil when `response` is not a FETCH.
    init?(_ response: IMAPResponse) throws(MailTransportError) {
        guard case .data(let values) = response, values.count == 3, values[1].keyword == "FETCH",
            let sequence = values[0].uid
        else { return nil }
        guard let items = values[2].list, items.count % 2 == 0 else {
            throw .protocolViolation("FETCH response without an even item list")
        }
        self.sequence = sequence
        var index = 0
        while index < items.count {
            let key = items[index].keyword ?? ""
            let value = items[index + 1]
            switch key {
            case "UID":
                guard let uid = value.uid else { throw .protocolViolation("FETCH UID is not a number") }
                self.uid = uid
            case "FLAGS":
                guard let flags = value.list else { throw .protocolViolation("FETCH FLAGS is not a list") }
                // \Recent only says "new to this session" and is gone from IMAP4rev2: not a flag to sync.
                self.flags = flags.compactMap(\.text).filter { $0.caseInsensitiveCompare("\\Recent") != .orderedSame }
            case "MODSEQ":
                guard let modSeq = value.list?.first?.number else { throw .protocolViolation("FETCH MODSEQ is not (n)") }
                self.modSeq = modSeq
            case "INTERNALDATE":
                self.internalDate = value.text.flatMap(IMAPDate.parse)
            case "RFC822.SIZE":
                self.size = value.number.map { Int($0) }
            default:
                if key.hasPrefix("BODY[]") || key.hasPrefix("BINARY[]") {
                    self.body = value.bytes ?? []
                } else if key.hasPrefix("BODY[") {
                    self.sections[key] = value.bytes ?? []
                }
            }
            index += 2
        }
    }
}
