import AdvocateCore
import Foundation
import NPS
import Testing

@Suite("Case replies in the respondent's language")
struct ReplyLanguageTests {
    static let replyKeys = ["reply.quote", "reply.detractor.subject", "reply.detractor.text", "reply.detractor.question",
                            "reply.passive.subject", "reply.passive.text", "reply.passive.question",
                            "reply.promoter.subject", "reply.promoter.text", "reply.promoter.reviews", "reply.promoter.referral",
                            "reply.promoter.post", "reply.promoter.default_post"]

    @Test("every catalog has every reply key, translated, with English's placeholders", arguments: CatalogTests.required)
    func everyLocale(_ tag: String) throws {
        let catalog = try #require(Catalog.all[tag])
        for key in Self.replyKeys {
            let english = try #require(Catalog.english.rawString(key), "English lacks \(key)")
            let value = try #require(catalog.rawString(key), "\(tag) lacks \(key)")
            #expect(CatalogTests.placeholders(value) == CatalogTests.placeholders(english), "\(tag).\(key): \(value)")
            if tag != "en" && key != "reply.promoter.default_post" { #expect(value != english, "\(tag).\(key) is not translated") }
        }
    }

    @Test("the language: the response's, else the contact's, else the survey's default, else English")
    func choice() {
        #expect(CaseReply.catalog(responseLocale: "ar", contactLocale: "tr", surveyLocale: "de").locale == "ar")
        #expect(CaseReply.catalog(responseLocale: nil, contactLocale: "tr-TR", surveyLocale: "de").locale == "tr")
        #expect(CaseReply.catalog(responseLocale: "tlh", contactLocale: nil, surveyLocale: "pt").locale == "pt-BR")
        #expect(CaseReply.catalog(responseLocale: nil, contactLocale: nil, surveyLocale: "xx").locale == "en")
    }

    @Test("a Turkish detractor gets Turkish; an Arabic passive gets Arabic, right to left, in Arabic-Indic digits; a promoter's links stay")
    func drafts() throws {
        let tr = CaseReply.draft(score: Score(2)!, comment: "Çok yavaş", productName: "Acme Cloud", contactName: "Ayşe", sender: "Kim",
                                 catalog: try #require(Catalog.match("tr")))
        #expect(tr.subject == "Acme Cloud ile yaşadığınız deneyim için üzgünüz" && tr.language == "tr" && !tr.isRightToLeft)
        #expect(tr.text.hasPrefix("Merhaba Ayşe,"))
        #expect(tr.text.contains("Şöyle yazmıştınız: “Çok yavaş”") && tr.text.contains("bizzat dönüş") && tr.text.hasSuffix("\n\nKim"))
        let ar = CaseReply.draft(score: Score(7)!, comment: nil, productName: "Acme", contactName: nil, sender: nil, catalog: try #require(Catalog.match("ar")))
        #expect(ar.language == "ar" && ar.isRightToLeft && ar.subject == "شكرًا على ملاحظاتك حول Acme")
        #expect(ar.text.contains("بدرجة ٧ من ١٠") && !ar.text.contains("out of 10"))
        let links = CaseReply.PromoterLinks(reviewSites: [ReviewSite(name: "G2", url: "https://g2.example/acme")], referralURL: "https://acme.example/r/42")
        let de = CaseReply.draft(score: Score(10)!, comment: nil, productName: "Acme", contactName: nil, sender: nil, links: links,
                                 catalog: try #require(Catalog.match("de")))
        #expect(de.subject == "Ein Dankeschön von Acme" && de.text.contains("- G2: https://g2.example/acme"))
        #expect(de.text.contains("Empfehlungslink: https://acme.example/r/42") && de.text.contains("Ich empfehle Acme."))
    }
}
