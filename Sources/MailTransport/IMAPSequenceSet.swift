/// UID sets in IMAP syntax: `1:5,9` out, and `1:3,7` back in (VANISHED, ESEARCH).
enum IMAPSequenceSet {
    /// Sorted, deduplicated and compressed to ranges: [9, 1, 2, 3, 4, 5] → "1:5,9".
    static func format(_ uids: [UInt32]) -> String {
        let sorted = Array(Set(uids)).sorted()
        var parts: [String] = []
        var index = 0
        while index < sorted.count {
            let first = sorted[index]
            var last = first
            while index + 1 < sorted.count, sorted[index + 1] == last + 1 {
                index += 1
                last = sorted[index]
            }
            parts.append(first == last ? "\(first)" : "\(first):\(last)")
            index += 1
        }
        return parts.joined(separator: ",")
    }

    /// `a:b` or `a:*` when the range ends at UInt32.max.
    static func format(_ range: ClosedRange<UInt32>) -> String {
        if range.upperBound == UInt32.max { return "\(range.lowerBound):*" }
        return range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound):\(range.upperBound)"
    }

    /// Expands a UID set; at most `limit` UIDs (a server may not make us allocate gigabytes).
    static func parse(_ text: String, limit: Int = 10_000_000) throws(MailTransportError) -> [UInt32] {
        var uids: [UInt32] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: ":", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2,
                let low = UInt32(bounds[0]), let high = UInt32(bounds.count == 2 ? bounds[1] : bounds[0])
            else { throw .protocolViolation("bad UID set \"\(text.prefix(80))\"") }
            let range = min(low, high)...max(low, high)
            guard uids.count + range.count <= limit else {
                throw .protocolViolation("UID set of more than \(limit) UIDs")
            }
            uids.append(contentsOf: range)
        }
        return uids
    }
}
