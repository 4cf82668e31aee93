import AdvocateCore
import Foundation
import Testing

@Suite("The invitation e-mail")
struct InvitationEmailTests {
    func content(message: Int = 0, name: String? = "Ada", style: InvitationEmail.ScaleStyle = .categories,
                 product: String = "Acme", brand: String? = nil) -> InvitationEmail.Content {
        InvitationEmail.Content(productName: product, contactName: name, message: message, scaleStyle: style, brandColor: brand,
                                scoreURL: { "https://nps.example.com/r/TOKEN/\($0)" }, unsubscribeURL: "https://nps.example.com/u/TOKEN")
    }

    @Test("eleven one-click score links in order 0 to 10, anchors, unsubscribe link, in both parts")
    func links() {
        let email = InvitationEmail(content(), catalog: Catalog.english)
        var last = email.html.startIndex
        for score in 0...10 {
            let link = "href=\"https://nps.example.com/r/TOKEN/\(score)\""
            guard let r = email.html.range(of: link, range: last..<email.html.endIndex) else {
                Issue.record("score \(score) missing or out of order"); return
            }
            last = r.upperBound
            #expect(email.text.contains("\(score)\(score == 0 ? " (Not at all likely)" : score == 10 ? " (Extremely likely)" : ""): https://nps.example.com/r/TOKEN/\(score)\n"))
        }
        #expect(email.html.contains("aria-label=\"0 – Not at all likely\"") && email.html.contains("aria-label=\"7 out of 10\""))
        #expect(email.html.contains("href=\"https://nps.example.com/u/TOKEN\""))
        #expect(email.text.contains("https://nps.example.com/u/TOKEN"))
        #expect(email.subject == "How likely are you to recommend Acme?")
        #expect(email.html.contains("Hi Ada,"))
    }

    @Test("buttons are red, yellow and green by category, or one neutral colour")
    func colours() {
        #expect(InvitationEmail.colors(score: 6, style: .categories).background == "#c92a2a")
        #expect(InvitationEmail.colors(score: 7, style: .categories).background == "#f5c84c")
        #expect(InvitationEmail.colors(score: 9, style: .categories).background == "#2b7a3b")
        #expect(Set((0...10).map { InvitationEmail.colors(score: $0, style: .neutral).background }).count == 1)
        let neutral = InvitationEmail(content(style: .neutral), catalog: Catalog.english)
        #expect(!neutral.html.contains("#c92a2a"))
    }

    @Test("reminders have their own subject; an unnamed contact gets the anonymous greeting")
    func reminder() {
        let email = InvitationEmail(content(message: 1, name: nil), catalog: Catalog.english)
        #expect(email.subject == "Reminder: a one-click question about Acme")
        #expect(email.text.hasPrefix("Hello,"))
    }

    @Test("names and products are escaped in the HTML; a brand colour that is not #rrggbb is ignored")
    func escaping() {
        let email = InvitationEmail(content(name: "<script>x</script>", product: "A&B \"Co\"", brand: "red;background:url(x)"),
                                    catalog: Catalog.english)
        #expect(!email.html.contains("<script>"))
        #expect(email.html.contains("&lt;script&gt;") && email.html.contains("A&amp;B &quot;Co&quot;"))
        #expect(!email.html.contains("url(x)"))
        #expect(InvitationEmail(content(brand: "#0055aa"), catalog: Catalog.english).html.contains("background-color:#0055aa"))
    }

    @Test("Arabic: dir=rtl, Arabic-Indic digits, the scale still starts at 0 in reading order")
    func rightToLeft() throws {
        let ar = try #require(Catalog.match("ar"))
        let email = InvitationEmail(content(), catalog: ar)
        #expect(email.html.contains("<html lang=\"ar\" dir=\"rtl\">"))
        #expect(email.html.contains(">٠</a>") && email.html.contains(">١٠</a>"))
        // Source order 0…10 inside a dir=rtl table puts 0 at the right, where an Arabic reader starts.
        let zero = try #require(email.html.range(of: "/r/TOKEN/0\""))
        let ten = try #require(email.html.range(of: "/r/TOKEN/10\""))
        #expect(zero.lowerBound < ten.lowerBound)
        #expect(email.html.contains("text-align:right"))
    }

    @Test("every language renders with its own question, and the seed texts pass through intact",
          arguments: ["tr", "kk", "zh-Hans", "ja", "he", "th"])
    func languages(_ tag: String) throws {
        let catalog = try #require(Catalog.match(tag))
        let email = InvitationEmail(content(name: "Ақжол 张伟", product: "Şirket"), catalog: catalog)
        #expect(email.html.contains(HTMLText.escape(catalog.text("question", ["product": "Şirket"]))))
        #expect(email.text.contains("Ақжол 张伟"))
    }
}
