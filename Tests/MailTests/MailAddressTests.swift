import MailTestSupport
import Testing
@testable import Mail

@Suite("MailAddress")
struct MailAddressTests {
    @Test("parses the forms people write")
    func parsesForms() throws {
        let named = try MailAddress(parsing: "  Ada Lovelace <ada@example.com> ")
        #expect(named.displayName == "Ada Lovelace")
        #expect(named.address == "ada@example.com")
        #expect(named.localPart == "ada")
        #expect(named.domain == "example.com")

        let quoted = try MailAddress(parsing: #""Lovelace, Ada \"Countess\"" <ada@example.com>"#)
        #expect(quoted.displayName == #"Lovelace, Ada "Countess""#)

        let angle = try MailAddress(parsing: "<ada@example.com>")
        #expect(angle.displayName == nil)
        #expect(angle.address == "ada@example.com")

        let bare = try MailAddress(parsing: "first.last+tag@mail.example.co.uk")
        #expect(bare.address == "first.last+tag@mail.example.co.uk")

        let turkish = try MailAddress(parsing: "Müşteri Hizmetleri <destek@example.com.tr>")
        #expect(turkish.displayName == "Müşteri Hizmetleri")

        let utf8Local = try MailAddress(address: "josé@example.com")
        #expect(utf8Local.requiresSMTPUTF8)
        #expect(!named.requiresSMTPUTF8)
    }

    @Test("description quotes a display name only when needed")
    func description() throws {
        #expect(try MailAddress(parsing: "Ada <ada@example.com>").description == "Ada <ada@example.com>")
        #expect(try MailAddress(address: "ada@example.com", displayName: "Doe, Jane").description == #""Doe, Jane" <ada@example.com>"#)
        #expect(try MailAddress(address: "ada@example.com", displayName: "   ").displayName == nil)
    }

    static let invalid: [(String, MailAddressError)] = [
        ("", .empty),
        ("   ", .empty),
        ("ada", .missingAt),
        ("ada@", .emptyDomain),
        ("@example.com", .emptyLocalPart),
        ("a..b@example.com", .consecutiveDotsInLocalPart),
        (".ada@example.com", .dotAtEdgeOfLocalPart),
        ("ada.@example.com", .dotAtEdgeOfLocalPart),
        ("a b@example.com", .whitespaceInAddress),
        ("a(b)@example.com", .invalidCharacterInLocalPart("(", position: 1)),
        ("a@b@example.com", .invalidCharacterInLocalPart("@", position: 1)),
        ("\"ada\"@example.com", .quotedLocalPartNotSupported),
        (String(repeating: "a", count: 65) + "@example.com", .localPartTooLong(octets: 65)),
        ("ada@localhost", .domainWithoutDot("localhost")),
        ("ada@example..com", .emptyDomainLabel),
        ("ada@.example.com", .emptyDomainLabel),
        ("ada@example.com.", .emptyDomainLabel),
        ("ada@-example.com", .hyphenAtEdgeOfDomainLabel("-example")),
        ("ada@exa_mple.com", .invalidCharacterInDomain("_")),
        ("ada@[192.0.2.1]", .addressLiteralNotSupported),
        ("ada@bücher.de", .internationalDomainNotSupported("bücher.de")),
        ("ada@" + String(repeating: "a", count: 64) + ".com", .domainLabelTooLong(String(repeating: "a", count: 64))),
        ("a@" + Array(repeating: String(repeating: "b", count: 60), count: 5).joined(separator: ".") + ".com", .addressTooLong(octets: 310)),
        ("Ada <ada@example.com", .unbalancedAngleBracket),
        ("ada@example.com>", .unbalancedAngleBracket),
        ("Ada <ada@example.com> and more", .textAfterAddress("and more")),
        ("\"Ada <ada@example.com>", .unterminatedQuotedName),
        ("\"Ada\" Lovelace <ada@example.com>", .textAfterQuotedName),
        ("ada@example.com\r\nBcc: eve@example.com", .controlCharacterInAddress(scalar: 0x0D)),
    ]

    @Test("refuses bad addresses with a precise error", arguments: invalid)
    func refuses(_ text: String, _ expected: MailAddressError) {
        #expect(throws: expected) { try MailAddress(parsing: text) }
    }

    @Test("refuses a display name with a line break")
    func displayNameInjection() {
        #expect(throws: MailAddressError.controlCharacterInDisplayName(scalar: 0x0A)) {
            try MailAddress(address: "ada@example.com", displayName: "Ada\nBcc: eve@example.com")
        }
    }

    @Test("errors read as sentences")
    func errorText() {
        #expect(MailAddressError.invalidCharacterInLocalPart("(", position: 1).description == "character '(' at position 1 is not allowed before the @")
        #expect(MailAddressError.internationalDomainNotSupported("bücher.de").description.contains("xn--"))
    }

    @Test("header form: atoms plain, specials quoted, non-ASCII encoded")
    func headerForm() throws {
        #expect(try MailAddress(parsing: "Ada Lovelace <ada@example.com>").headerPieces == ["Ada", "Lovelace", "<ada@example.com>"])
        #expect(try MailAddress(parsing: "ada@example.com").headerPieces == ["ada@example.com"])
        #expect(try MailAddress(address: "ada@example.com", displayName: "Doe, \"J\"").headerPieces == [#""Doe, \"J\"""#, "<ada@example.com>"])
        let encoded = try MailAddress(address: "a@example.com", displayName: "Müşteri Hizmetleri").headerPieces
        #expect(encoded.last == "<a@example.com>")
        #expect(try ReferenceEncodedWords.decode(encoded.dropLast().joined(separator: " ")) == "Müşteri Hizmetleri")
    }
}
