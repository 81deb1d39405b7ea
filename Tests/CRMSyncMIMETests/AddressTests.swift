import Testing
@testable import CRMSyncMIME

@Suite struct AddressTests {
    @Test func namesQuotedCommentedAndEncoded() {
        let list = MailAddress.parseList(
            #""Doe, John" <john@example.com>, jane@example.com (Jane Roe), =?utf-8?q?J=C3=B6rg?= <jorg@x.de>, "#
                + #""=?ISO-8859-1?Q?Andr=E9?= Pirard" <pirard@vm1.ulg.ac.be>, <bare@x.org>, "\"Q\" \\ x" <q@x>"#)
        #expect(list == [
            MailAddress(name: "Doe, John", address: "john@example.com"),
            MailAddress(name: "Jane Roe", address: "jane@example.com"),
            MailAddress(name: "Jörg", address: "jorg@x.de"),
            MailAddress(name: "André Pirard", address: "pirard@vm1.ulg.ac.be"),
            MailAddress(address: "bare@x.org"),
            MailAddress(name: #""Q" \ x"#, address: "q@x"),
        ])
    }

    @Test func groupsAndEmptyGroups() {
        let list = MailAddress.parseList("Team: a@x.com, B <b@x.com>;, undisclosed-recipients:;, c@y.com")
        #expect(list == [
            MailAddress(address: "a@x.com", group: "Team"),
            MailAddress(name: "B", address: "b@x.com", group: "Team"),
            MailAddress(address: "c@y.com"),
        ])
    }

    @Test func outlookSemicolonsRoutesAndComments() {
        #expect(MailAddress.parseList("a@x.com; b@y.com").map(\.address) == ["a@x.com", "b@y.com"])
        #expect(MailAddress.parseList("<@relay.net,@r2.net:user@final.org>").map(\.address) == ["user@final.org"])
        #expect(MailAddress.parseList("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>")
            == [MailAddress(name: "Pete", address: "pete@silly.test")])
        #expect(MailAddress.parseList("  ,, ,").isEmpty)
        #expect(MailAddress.parseList("\"unterminated <x@y>").count <= 1)
        #expect(MailAddress.parseList("John <john@x.com").map(\.address) == ["john@x.com"])
    }

    @Test func messageIDs() {
        #expect(MessageID.parse(" <abc@host> (comment)") == "abc@host")
        #expect(MessageID.parse("abc@host") == "abc@host")
        #expect(MessageID.parse("") == nil)
        #expect(MessageID.parseList("<a@x>\r\n <b@y> <c\r\n @z>") == ["a@x", "b@y", "c@z"])
        #expect(MessageID.parseList("a@x b@y") == ["a@x", "b@y"])
        #expect(MessageID.parseList("<a@x> (x <y@z>)") == ["a@x"])
    }
}
