import AdvocateCore
import Foundation
import Testing

@Suite("Locale catalogs")
struct CatalogTests {
    static let required = ["en", "es", "pt-BR", "fr", "de", "it", "nl", "sv", "da", "nb", "fi", "pl", "cs", "hu", "ro", "el", "ru", "uk",
                           "kk", "tr", "ar", "he", "fa", "ur", "hi", "th", "vi", "id", "ja", "ko", "zh-Hans", "zh-Hant"]

    static func placeholders(_ s: String) -> Set<String> {
        var result: Set<String> = []
        var rest = s[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result.insert(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return result
    }

    @Test("all 32 languages ship")
    func languages() {
        #expect(Set(Catalog.all.keys).isSuperset(of: Self.required), "missing: \(Set(Self.required).subtracting(Catalog.all.keys).sorted())")
    }

    @Test("every catalog has every key of English, no other, none empty, with the same placeholders", arguments: required)
    func complete(_ tag: String) throws {
        let catalog = try #require(Catalog.all[tag])
        let english = Catalog.english
        #expect(Set(catalog.keys) == Set(english.keys), "\(tag): extra \(Set(catalog.keys).subtracting(english.keys)), missing \(Set(english.keys).subtracting(catalog.keys))")
        for key in english.keys {
            let value = try #require(catalog.rawString(key), "\(tag) lacks \(key)")
            #expect(!value.trimmingCharacters(in: .whitespaces).isEmpty, "\(tag).\(key) is empty")
            #expect(Self.placeholders(value) == Self.placeholders(english.rawString(key)!), "\(tag).\(key): \(value)")
        }
    }

    @Test("right-to-left languages say so; the others do not")
    func direction() {
        for (tag, catalog) in Catalog.all {
            #expect(catalog.isRightToLeft == ["ar", "he", "fa", "ur"].contains(tag), "\(tag)")
        }
    }

    @Test("numbers use each language's CLDR digits: Arabic-Indic for ar, Persian for fa, Western elsewhere")
    func digits() {
        #expect(Catalog.match("ar")!.number(10) == "١٠")
        #expect(Catalog.match("fa")!.number(7) == "۷")
        #expect(Catalog.match("ur")!.number(10) == "10")
        #expect(Catalog.match("hi")!.number(9) == "9")
        #expect(Catalog.english.number(0) == "0")
    }

    @Test("the fallback chain: contact locale, then Accept-Language by weight, then survey default, then English")
    func fallback() {
        #expect(Catalog.best(for: ["tr", "de", "en"]).locale == "tr")
        #expect(Catalog.best(for: [nil, "fr-CH, de;q=0.8", "es"]).locale == "fr")
        #expect(Catalog.best(for: [nil, "xx, de;q=0.2, it;q=0.9", "es"]).locale == "it")
        #expect(Catalog.best(for: ["tlh", nil, "es"]).locale == "es")
        #expect(Catalog.best(for: ["tlh", "*", "xx"]).locale == "en")
        #expect(Catalog.best(for: [nil, "da;q=0", nil]).locale == "en")
    }

    @Test("regional and script variants find their catalog, case-insensitively")
    func matching() {
        #expect(Catalog.match("pt-br")?.locale == "pt-BR")
        #expect(Catalog.match("pt-PT")?.locale == "pt-BR")
        #expect(Catalog.match("zh-TW")?.locale == "zh-Hant")
        #expect(Catalog.match("zh-HK")?.locale == "zh-Hant")
        #expect(Catalog.match("zh-Hant-TW")?.locale == "zh-Hant")
        #expect(Catalog.match("zh-CN")?.locale == "zh-Hans")
        #expect(Catalog.match("zh")?.locale == "zh-Hans")
        #expect(Catalog.match("no")?.locale == "nb")
        #expect(Catalog.match("de-AT")?.locale == "de")
        #expect(Catalog.match("KK-kz")?.locale == "kk")
        #expect(Catalog.match("tlh") == nil)
    }

    @Test("placeholders are filled and a missing value is left visible, never crashing")
    func text() {
        #expect(Catalog.english.text("question", ["product": "Acme"]) == "How likely are you to recommend Acme to a friend or colleague?")
        #expect(Catalog.english.text("no.such.key") == "no.such.key")
    }
}
