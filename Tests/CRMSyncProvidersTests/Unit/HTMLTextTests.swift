import Testing
@testable import CRMSyncProviders

@Suite struct HTMLTextTests {
    @Test func htmlBecomesTheTextItShows() {
        let outlook = "<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n<style>p{margin:0}</style>\r\n</head>\r\n"
            + "<body>\r\n<div>Agenda:<br>\r\n1. budget &amp; staff</div><div>2. caf&#233; &lt;later&gt;</div>\r\n</body>\r\n</html>\r\n"
        #expect(HTMLText.plainText(outlook) == "Agenda:\n1. budget & staff\n2. café <later>")
        #expect(HTMLText.plainText("<p>Notes:<br>bring <b>slides</b></p><p></p><p></p><p>end</p>") == "Notes:\nbring slides\n\nend")
        #expect(HTMLText.plainText("a &unknown; b & c") == "a &unknown; b & c")
    }

    @Test func onlyHTMLIsConverted() {
        let typed = CalendarEvent(description: "x <b>literal</b>", descriptionFormat: .text)
        #expect(typed.plainTextDescription == "x <b>literal</b>")
        let html = CalendarEvent(description: "<p>x</p>", descriptionFormat: .html)
        #expect(html.plainTextDescription == "x")
    }
}
