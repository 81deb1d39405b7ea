import Foundation
import Testing
@testable import MailTransport

/// The framer and parser alone, no server: literals hiding protocol lines, chunked input.
@Suite struct IMAPResponseParserTests {
    private func frames(_ chunks: [String]) throws -> [IMAPResponse] {
        var framer = IMAPResponseFramer()
        var responses: [IMAPResponse] = []
        for chunk in chunks {
            framer.append(Array(chunk.utf8))
            while let bytes = try framer.nextResponse() { responses.append(try IMAPResponseParser.parse(bytes)) }
        }
        #expect(framer.pendingCount == 0)
        return responses
    }

    @Test func literalHoldingProtocolLinesIsOneValue() throws {
        let body = "Subject: x\r\n\r\n* 3 EXPUNGE\r\nA001 OK fake\r\n{5}\r\nend\r\n"
        let wire = "* 1 FETCH (UID 7 BODY[] {\(body.utf8.count)}\r\n\(body) FLAGS (\\Seen))\r\nA001 OK done\r\n"
        let responses = try self.frames([wire])
        #expect(responses.count == 2)
        let fetch = try #require(try IMAPFetchResponse(responses[0]))
        #expect(fetch.uid == 7)
        #expect(fetch.body == Array(body.utf8))
        #expect(fetch.flags == ["\\Seen"])
        #expect(responses[1] == .tagged(tag: "A001", status: .ok, code: nil, text: "done"))
    }

    @Test func literalSplitAcrossChunksAtEveryPosition() throws {
        let body = "line one\r\n* BYE not really\r\nA002 NO nope\r\n"
        let wire = "* 2 FETCH (UID 9 BODY[] {\(body.utf8.count)}\r\n\(body))\r\nA002 OK fetched\r\n"
        let bytes = Array(wire.utf8)
        for split in 1..<bytes.count {
            var framer = IMAPResponseFramer()
            var responses: [IMAPResponse] = []
            for part in [bytes[..<split], bytes[split...]] {
                framer.append(Array(part))
                while let frame = try framer.nextResponse() { responses.append(try IMAPResponseParser.parse(frame)) }
            }
            #expect(responses.count == 2, "split at \(split)")
            #expect(try IMAPFetchResponse(responses[0])?.body == Array(body.utf8), "split at \(split)")
        }
        // And byte by byte.
        var framer = IMAPResponseFramer()
        var count = 0
        for byte in bytes {
            framer.append([byte])
            while try framer.nextResponse() != nil { count += 1 }
        }
        #expect(count == 2)
    }

    @Test func statusCodesQuotedStringsAndNIL() throws {
        let responses = try self.frames([
            "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
            "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent \\\"Items\\\"\"\r\n",
            "* LIST (\\Noselect) NIL {3}\r\nfoo\r\n",
            "* 4 EXISTS\r\n",
            "* VANISHED (EARLIER) 1:3,7\r\n",
            "A3 OK [APPENDUID 38505 3955] APPEND completed\r\n",
            "+ go ahead\r\n",
            "* BYE shutting down\r\n",
        ])
        #expect(
            responses[0] == .status(.ok, code: IMAPResponseCode(name: "UIDVALIDITY", arguments: [.atom("3857529045")]), text: "UIDs valid"))
        guard case .status(.ok, let code?, _) = responses[1] else { Issue.record("no code"); return }
        #expect(code.name == "PERMANENTFLAGS")
        #expect(code.arguments == [.list([.atom("\\Deleted"), .atom("\\Seen"), .atom("\\*")])])
        #expect(
            responses[2]
                == .data([
                    .atom("LIST"), .list([.atom("\\HasNoChildren"), .atom("\\Sent")]), .quoted(Array("/".utf8)),
                    .quoted(Array("Sent \"Items\"".utf8)),
                ]))
        #expect(responses[3] == .data([.atom("LIST"), .list([.atom("\\Noselect")]), .nil, .literal(Array("foo".utf8))]))
        #expect(responses[4] == .data([.atom("4"), .atom("EXISTS")]))
        #expect(responses[5] == .data([.atom("VANISHED"), .list([.atom("EARLIER")]), .atom("1:3,7")]))
        #expect(
            responses[6]
                == .tagged(
                    tag: "A3", status: .ok, code: IMAPResponseCode(name: "APPENDUID", arguments: [.atom("38505"), .atom("3955")]),
                    text: "APPEND completed"))
        #expect(responses[7] == .continuation("go ahead"))
        #expect(responses[8] == .status(.bye, code: nil, text: "shutting down"))
    }

    @Test func sectionAtomsKeepTheirSpaces() throws {
        let responses = try self.frames(["* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT DATE)] {2}\r\nab UID 4)\r\n"])
        #expect(
            responses == [
                .data([
                    .atom("1"), .atom("FETCH"),
                    .list([.atom("BODY[HEADER.FIELDS (SUBJECT DATE)]"), .literal(Array("ab".utf8)), .atom("UID"), .atom("4")]),
                ])
            ])
    }

    @Test func malformedInputIsAProtocolViolation() {
        for wire in ["* 1 FETCH (UID 1\r\n", "* 1 FETCH (UID \"open\r\n", "A1 MAYBE\r\n", "* x)\r\n"] {
            #expect(throws: MailTransportError.self, "\(wire)") {
                var framer = IMAPResponseFramer()
                framer.append(Array(wire.utf8))
                if let frame = try framer.nextResponse() { _ = try IMAPResponseParser.parse(frame) }
            }
        }
        var framer = IMAPResponseFramer()
        framer.append(Array("* 1 FETCH (BODY[] {99999999999}\r\n".utf8))
        #expect(throws: MailTransportError.self) { _ = try framer.nextResponse() }
    }

    /// A 20 MB literal arriving in 16 KB reads is one response with every byte (its speed is
    /// `crmsync-bench --mail`'s business, not a timed test's).
    @Test func largeLiteralInSmallChunks() throws {
        let size = 20 * 1024 * 1024
        var body = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        for index in stride(from: 76, to: size, by: 78) { body[index] = 0x0D; body[index + 1] = 0x0A }
        var wire = Array("* 1 FETCH (UID 1 BODY[] {\(size)}\r\n".utf8) + body + Array(")\r\nA1 OK\r\n".utf8)
        var framer = IMAPResponseFramer()
        var responses: [IMAPResponse] = []
        var offset = 0
        while offset < wire.count {
            let end = min(wire.count, offset + 16 * 1024)
            framer.append(Array(wire[offset..<end]))
            while let frame = try framer.nextResponse() { responses.append(try IMAPResponseParser.parse(frame)) }
            offset = end
        }
        wire = []
        #expect(responses.count == 2)
        #expect(try IMAPFetchResponse(responses[0])?.body == body)
    }

    @Test func sequenceSetsDatesAndMailboxNames() throws {
        #expect(IMAPSequenceSet.format([9, 1, 2, 3, 4, 5, 5, 11, 12]) == "1:5,9,11:12")
        #expect(IMAPSequenceSet.format(5...UInt32.max) == "5:*")
        #expect(try IMAPSequenceSet.parse("1:3,7,10:9") == [1, 2, 3, 7, 9, 10])
        #expect(throws: MailTransportError.self) { _ = try IMAPSequenceSet.parse("1:4294967295") }
        let date = try #require(IMAPDate.parse(" 7-Jul-1996 02:44:25 -0700"))
        #expect(date.timeIntervalSince1970 == 836_732_665)
        #expect(IMAPDate.format(date) == "07-Jul-1996 09:44:25 +0000")
        #expect(ModifiedUTF7.encode("Entwürfe & Co") == "Entw&APw-rfe &- Co")
        #expect(ModifiedUTF7.decode("Entw&APw-rfe &- Co") == "Entwürfe & Co")
        #expect(ModifiedUTF7.decode(ModifiedUTF7.encode("日本語/メール 📧")) == "日本語/メール 📧")
        #expect(CRLF.normalize(Array("a\nb\r\nc\n".utf8)) == Array("a\r\nb\r\nc\r\n".utf8))
    }

    @Test func credentialsNeverPrintTheirSecret() {
        let password = MailCredential.password(username: "u@x", password: "hunter2-secret")
        let token = MailCredential.xoauth2(username: "u@x", accessToken: "ya29.token-secret")
        #expect(!"\(password)".contains("hunter2"))
        #expect(!"\(token)".contains("ya29"))
        #expect(password.scrub("denied for hunter2-secret") == "denied for ****")
    }
}
