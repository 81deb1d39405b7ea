import Foundation
import Testing
@testable import CRMSyncMIME

@Suite struct DateTests {
    /// 2024-03-05 10:00:00 UTC
    let reference = Date(timeIntervalSince1970: 1_709_632_800)

    @Test(arguments: [
        "Tue, 5 Mar 2024 10:00:00 +0000",
        "Tue, 05 Mar 2024 11:00:00 +0100 (CET)",
        "5 Mar 2024 10:00 GMT",
        "Tue, 5 Mar 2024 05:00:00 EST",
        "Tue,  5 Mar 24 02:00:00 PST",
        "Tue, 5 Mar 124 10:00:00 UT",
        "tue, 05 MAR 2024 10:00:00 Z",
        "Tuesday, 5 March 2024 10:00:00 +0000",
        "Tue Mar  5 10:00:00 2024",
        "2024-03-05T11:30:00+01:30",
        "Tue, 05 Mar 2024 10:00:00 +00:00",
        "5 Mar 2024 10:00:00",
        "Tue, 5 Mar 2024 10:00:00 GMT+0000",
        "Tue, 5 Mar 2024 10:00:00 A",
    ])
    func readable(_ text: String) {
        #expect(MailDate.parse(text) == self.reference, "\(text)")
    }

    @Test(arguments: ["", "yesterday", "Tue, 45 Mar 2024 10:00:00 +0000", "Tue, 5 Foo 2024 10:00:00 +0000",
                      "5 Mar 2024 25:00:00 +0000", "5 Mar 2024", "Tue, 5 Mar 2024 10:xx:00 +0000"])
    func unreadableIsNil(_ text: String) {
        #expect(MailDate.parse(text) == nil, "\(text)")
    }

    @Test func formatRoundTrips() {
        var generator = SplitMix64(seed: 3)
        for _ in 0..<500 {
            let date = Date(timeIntervalSince1970: TimeInterval(Int64.random(in: -2_000_000_000...8_000_000_000, using: &generator)))
            #expect(MailDate.parse(MailDate.format(date)) == date)
        }
        #expect(MailDate.format(self.reference) == "Tue, 05 Mar 2024 10:00:00 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
    }

    @Test func messageDateIsNilNotAFailure() {
        let message = parse("Date: someday soon\nSubject: still here\n\nx")
        #expect(message.date == nil)
        #expect(message.subject == "still here")
    }
}
