@testable import AdvocateCore
import Foundation
import NPS
import Testing

// MARK: - Helpers

private func json(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

/// Decodes one response from JSON text.
private func decode(_ text: String) throws -> Result<ResponseSubmission, ValidationError> {
    ResponseSubmission.decode(try json(text))
}

/// The field names of the problems a failed decode reported (empty when it succeeded).
private func failedFields(_ result: Result<ResponseSubmission, ValidationError>) -> [String] {
    if case .failure(let error) = result { return error.issues.map(\.field) }
    return []
}

/// The submission of a decode that must succeed.
private func accepted(_ text: String) throws -> ResponseSubmission {
    let result = try decode(text)
    if case .failure(let error) = result { Issue.record("expected \(text) to be accepted, got \(error)") }
    return try result.get()
}

/// The field names of a typed-throws decoder's ValidationError; empty when it did not throw.
private func thrownFields<T>(_ body: () throws(ValidationError) -> T) -> [String] {
    do {
        _ = try body()
        return []
    } catch {
        return error.issues.map(\.field)
    }
}

private let validItem: JSONValue = .object(["survey_id": .integer(1), "score": .integer(9)])

// MARK: - ResponseSubmission.decode

@Suite("ResponseSubmission.decode")
struct ResponseSubmissionDecodeTests {
    @Test("a full valid object is read field by field")
    func acceptsFullObject() throws {
        let s = try accepted("""
        {"survey_id": 12, "score": 9, "comment": "Great support",
         "contact": {"external_id": "u-1", "email": "Ada@Example.COM", "name": "Ada", "locale": "tr",
                     "time_zone": "Europe/Istanbul", "properties": {"plan": "pro"}},
         "properties": {"mrr": 120, "beta": true, "ratio": 0.5, "country": "TR"},
         "created_at": "2026-11-22T11:30:00+03:00", "channel": "in_app", "locale": "zh-Hans"}
        """)
        #expect(s.surveyID == 12)
        #expect(s.score == Score(9))
        #expect(s.comment == "Great support")
        #expect(s.contact == ContactInput(externalID: "u-1", email: "ada@example.com", name: "Ada", locale: "tr",
                                          timeZone: "Europe/Istanbul", properties: ["plan": .string("pro")]))
        #expect(s.properties == ["mrr": .integer(120), "beta": .bool(true), "ratio": .double(0.5), "country": .string("TR")])
        #expect(s.createdAt == Timestamp(milliseconds: 1_795_336_200_000))
        #expect(s.channel == .inApp)
        #expect(s.locale == "zh-Hans")
    }

    @Test("survey_id and score alone are enough; the rest takes defaults")
    func acceptsMinimalObject() throws {
        let s = try accepted(#"{"survey_id": 1, "score": 0}"#)
        let zero = try #require(Score(0))
        #expect(s == ResponseSubmission(surveyID: 1, contact: nil, score: zero))
        #expect(s.channel == .api && s.properties.isEmpty && s.createdAt == nil && s.comment == nil)
    }

    @Test("every score from 0 to 10 is accepted", arguments: 0...10)
    func acceptsEveryScore(score: Int) throws {
        #expect(try accepted(#"{"survey_id": 1, "score": \#(score)}"#).score.value == score)
    }

    @Test("a score that is not an integer 0…10 is rejected and named", arguments: [
        "11", "-1", "7.5", "1e2", "10.000001", "\"7\"", "null", "true", "[7]", "{}",
    ])
    func rejectsBadScore(score: String) throws {
        #expect(failedFields(try decode(#"{"survey_id": 1, "score": \#(score)}"#)) == ["score"])
    }

    @Test("a whole number written with a fraction or exponent is that integer, as in JSON Schema", arguments: [
        ("7.0", 7), ("1e1", 10), ("0.0", 0), ("-0.0", 0),
    ])
    func acceptsIntegralNumbers(score: String, expected: Int) throws {
        #expect(try accepted(#"{"survey_id": 1, "score": \#(score)}"#).score.value == expected)
    }

    @Test("a missing score is rejected as required")
    func rejectsMissingScore() throws {
        guard case .failure(let error) = try decode(#"{"survey_id": 1}"#) else {
            Issue.record("accepted a response without a score"); return
        }
        #expect(error.issues == [ValidationIssue(field: "score", message: "is required")])
    }

    @Test("a misspelt field is reported as unknown, not ignored")
    func reportsUnknownField() throws {
        let fields = failedFields(try decode(#"{"survey_id": 1, "scroe": 9}"#))
        #expect(Set(fields) == ["scroe", "score"])
        guard case .failure(let error) = try decode(#"{"survey_id": 1, "score": 9, "scroe": 9}"#) else {
            Issue.record("accepted an unknown field"); return
        }
        #expect(error.issues == [ValidationIssue(field: "scroe", message: "unknown field")])
    }

    @Test("every problem is reported at once")
    func reportsAllProblems() throws {
        let result = try decode("""
        {"survey_id": 0, "score": 11, "channel": "fax", "locale": "english", "created_at": "soon",
         "contact": {"email": "nope"}, "properties": {"x": [1]}, "extra": 1}
        """)
        #expect(Set(failedFields(result)) == ["survey_id", "score", "channel", "locale", "created_at",
                                             "contact.email", "properties.x", "extra"])
    }

    @Test("survey_id must be a positive integer", arguments: ["0", "-3", "1.5", "\"12\"", "null", "true"])
    func rejectsBadSurveyID(surveyID: String) throws {
        #expect(failedFields(try decode(#"{"survey_id": \#(surveyID), "score": 5}"#)) == ["survey_id"])
    }

    @Test("survey_id is required, and the largest Int64 is accepted")
    func surveyIDRequiredAndUnbounded() throws {
        #expect(failedFields(try decode(#"{"score": 5}"#)) == ["survey_id"])
        #expect(try accepted(#"{"survey_id": 9223372036854775807, "score": 5}"#).surveyID == Int64.max)
    }

    @Test("a comment of exactly the limit is accepted; one more character is rejected")
    func commentLimit() throws {
        // The limit counts characters, not bytes: é is two bytes in UTF-8.
        let atLimit = String(repeating: "é", count: Limits.commentCharacters)
        let item = JSONValue.object(["survey_id": .integer(1), "score": .integer(3), "comment": .string(atLimit)])
        #expect(try ResponseSubmission.decode(item).get().comment == atLimit)
        let over = JSONValue.object(["survey_id": .integer(1), "score": .integer(3), "comment": .string(atLimit + "x")])
        #expect(failedFields(ResponseSubmission.decode(over)) == ["comment"])
    }

    @Test("a whitespace-only or empty comment becomes nil; other comments are kept as given", arguments: [
        ("   ", nil), ("\n\t \r\n", nil), ("", nil), (" ok ", " ok "), ("Slow\nsupport", "Slow\nsupport"),
    ] as [(String, String?)])
    func blankCommentIsNil(comment: String, expected: String?) throws {
        let item = JSONValue.object(["survey_id": .integer(1), "score": .integer(3), "comment": .string(comment)])
        #expect(try ResponseSubmission.decode(item).get().comment == expected)
    }

    @Test("a comment with a control character is rejected")
    func commentControlCharacter() throws {
        #expect(failedFields(try decode(#"{"survey_id": 1, "score": 3, "comment": "a\u0007b"}"#)) == ["comment"])
    }

    @Test("properties may be strings, numbers and booleans")
    func scalarProperties() throws {
        let s = try accepted(#"{"survey_id": 1, "score": 3, "properties": {"plan": "pro", "mrr": 99, "ratio": 0.25, "beta": false}}"#)
        #expect(s.properties == ["plan": .string("pro"), "mrr": .integer(99), "ratio": .double(0.25), "beta": .bool(false)])
    }

    @Test("a property that is not a scalar is rejected under its own name", arguments: [
        #"{"a": 1}"#, "[1, 2]", "null",
    ])
    func rejectsNonScalarProperty(value: String) throws {
        let result = try decode(#"{"survey_id": 1, "score": 3, "properties": {"ok": 1, "x": \#(value)}}"#)
        #expect(failedFields(result) == ["properties.x"])
    }

    @Test("properties must be an object", arguments: ["[1]", "\"plan\"", "7"])
    func propertiesMustBeObject(value: String) throws {
        #expect(failedFields(try decode(#"{"survey_id": 1, "score": 3, "properties": \#(value)}"#)) == ["properties"])
    }

    @Test("at most Limits.properties properties are accepted")
    func propertyCountLimit() throws {
        func item(_ count: Int) -> JSONValue {
            var props: [String: JSONValue] = [:]
            for i in 0..<count { props["p\(i)"] = .integer(Int64(i)) }
            return .object(["survey_id": .integer(1), "score": .integer(3), "properties": .object(props)])
        }
        #expect(try ResponseSubmission.decode(item(Limits.properties)).get().properties.count == Limits.properties)
        #expect(failedFields(ResponseSubmission.decode(item(Limits.properties + 1))) == ["properties"])
    }

    @Test("property names and string values have length limits")
    func propertyLengthLimits() {
        let longName = String(repeating: "n", count: Limits.propertyNameCharacters + 1)
        let longValue = String(repeating: "v", count: Limits.propertyValueCharacters + 1)
        let badName = JSONValue.object(["survey_id": .integer(1), "score": .integer(3),
                                        "properties": .object([longName: .integer(1)])])
        #expect(failedFields(ResponseSubmission.decode(badName)) == ["properties"])
        let badValue = JSONValue.object(["survey_id": .integer(1), "score": .integer(3),
                                         "properties": .object(["note": .string(longValue)])])
        #expect(failedFields(ResponseSubmission.decode(badValue)) == ["properties.note"])
        let emptyName = JSONValue.object(["survey_id": .integer(1), "score": .integer(3),
                                          "properties": .object(["": .integer(1)])])
        #expect(failedFields(ResponseSubmission.decode(emptyName)) == ["properties"])
    }

    @Test("a contact without external_id or email is rejected", arguments: [
        #"{"name": "Ada"}"#, "{}", #"{"external_id": null}"#, #"{"email": null, "name": "Ada"}"#,
    ])
    func contactNeedsIdentity(contact: String) throws {
        #expect(failedFields(try decode(#"{"survey_id": 1, "score": 3, "contact": \#(contact)}"#)) == ["contact"])
    }

    @Test("a contact identified by external_id alone or email alone is accepted")
    func contactIdentifiedByEither() throws {
        #expect(try accepted(#"{"survey_id": 1, "score": 3, "contact": {"external_id": "u-9"}}"#).contact
            == ContactInput(externalID: "u-9"))
        #expect(try accepted(#"{"survey_id": 1, "score": 3, "contact": {"email": "a@b.co"}}"#).contact
            == ContactInput(email: "a@b.co"))
    }

    @Test("an invalid e-mail is reported once, by its own field")
    func invalidEmail() throws {
        #expect(failedFields(try decode(#"{"survey_id": 1, "score": 3, "contact": {"email": "not-an-email"}}"#))
            == ["contact.email"])
    }

    @Test("e-mail addresses are lower-cased")
    func emailLowerCased() throws {
        let s = try accepted(#"{"survey_id": 1, "score": 3, "contact": {"email": "Ada.Lovelace@Example.ORG"}}"#)
        #expect(s.contact?.email == "ada.lovelace@example.org")
    }

    @Test("an invalid locale is rejected, on the response and on the contact")
    func invalidLocale() throws {
        #expect(failedFields(try decode(#"{"survey_id": 1, "score": 3, "locale": "en_US"}"#)) == ["locale"])
        #expect(failedFields(try decode(#"{"survey_id": 1, "score": 3, "contact": {"external_id": "u", "locale": "english"}}"#))
            == ["contact.locale"])
    }

    @Test("an invalid contact time zone is rejected")
    func invalidTimeZone() throws {
        #expect(failedFields(try decode(#"{"survey_id": 1, "score": 3, "contact": {"external_id": "u", "time_zone": "Mars/Base"}}"#))
            == ["contact.time_zone"])
    }

    @Test("unknown contact fields are reported with the contact prefix")
    func unknownContactField() throws {
        #expect(failedFields(try decode(#"{"survey_id": 1, "score": 3, "contact": {"external_id": "u", "emial": "a@b.co"}}"#))
            == ["contact.emial"])
    }

    @Test("contact must be an object; null means anonymous")
    func contactShape() throws {
        #expect(failedFields(try decode(#"{"survey_id": 1, "score": 3, "contact": "u-1"}"#)) == ["contact"])
        #expect(try accepted(#"{"survey_id": 1, "score": 3, "contact": null}"#).contact == nil)
    }

    @Test("a bad created_at is rejected", arguments: [
        "\"2026-02-30T00:00:00Z\"", "\"2026-11-22T08:30:00\"", "\"yesterday\"", "\"\"", "1795336200000",
    ])
    func badCreatedAt(value: String) throws {
        #expect(failedFields(try decode(#"{"survey_id": 1, "score": 3, "created_at": \#(value)}"#)) == ["created_at"])
    }

    @Test("each channel name is accepted", arguments: Channel.allCases)
    func acceptsChannel(channel: Channel) throws {
        #expect(try accepted(#"{"survey_id": 1, "score": 3, "channel": "\#(channel.rawValue)"}"#).channel == channel)
    }

    @Test("channel raw values are the documented snake_case names")
    func channelNames() {
        #expect(Channel.allCases.map(\.rawValue) == ["api", "email", "link", "in_app", "sms", "import"])
    }

    @Test("an unknown, mis-cased or null channel is rejected", arguments: ["\"fax\"", "\"API\"", "\"inApp\"", "null", "1"])
    func rejectsChannel(value: String) throws {
        #expect(failedFields(try decode(#"{"survey_id": 1, "score": 3, "channel": \#(value)}"#)) == ["channel"])
    }

    @Test("a body that is not an object is rejected as a whole")
    func nonObject() throws {
        #expect(failedFields(try decode("[1]")).contains(""))
        #expect(failedFields(ResponseSubmission.decode(.array([]), path: "responses[2]")).contains("responses[2]"))
    }
}

// MARK: - ResponseSubmission.decodeBatch

@Suite("ResponseSubmission.decodeBatch")
struct ResponseSubmissionBatchTests {
    @Test("a missing, non-array or empty responses list is rejected", arguments: [
        "{}", #"{"responses": {}}"#, #"{"responses": "x"}"#, #"{"responses": null}"#, #"{"responses": []}"#,
    ])
    func rejectsBadList(text: String) throws {
        let body = try json(text)
        #expect(thrownFields { () throws(ValidationError) in try ResponseSubmission.decodeBatch(body) } == ["responses"])
    }

    @Test("exactly Limits.batchResponses items are accepted; one more is rejected before any item is read")
    func batchLimit() {
        let atLimit = JSONValue.object(["responses": .array(Array(repeating: validItem, count: Limits.batchResponses))])
        #expect(thrownFields { () throws(ValidationError) in try ResponseSubmission.decodeBatch(atLimit) } == [])
        // One more, and every item invalid: only the count is reported.
        let over = JSONValue.object(["responses": .array(Array(repeating: .object([:]), count: Limits.batchResponses + 1))])
        #expect(thrownFields { () throws(ValidationError) in try ResponseSubmission.decodeBatch(over) } == ["responses"])
    }

    @Test("every bad item is reported by index and field; good items report nothing")
    func reportsByIndex() throws {
        let body = try json("""
        {"responses": [
          {"survey_id": 1, "score": 9},
          {"survey_id": 1, "score": 11},
          {"survey_id": 1, "score": 5, "contact": {"email": "bad"}},
          {"survey_id": 1, "scroe": 3},
          "not an object",
          {"survey_id": 1, "score": 10}
        ]}
        """)
        let fields = thrownFields { () throws(ValidationError) in try ResponseSubmission.decodeBatch(body) }
        #expect(Set(fields.filter { !$0.hasPrefix("responses[4]") })
            == ["responses[1].score", "responses[2].contact.email", "responses[3].scroe", "responses[3].score"])
        #expect(fields.contains("responses[4]"))
        #expect(!fields.contains { $0.hasPrefix("responses[0]") || $0.hasPrefix("responses[5]") })
    }

    @Test("all good items come back in order, one per item")
    func acceptsAll() throws {
        let items = (0...10).map { JSONValue.object(["survey_id": .integer(4), "score": .integer(Int64($0))]) }
        let result = try ResponseSubmission.decodeBatch(.object(["responses": .array(items)]))
        #expect(result.count == items.count)
        #expect(result.map(\.score.value) == Array(0...10))
        #expect(result.allSatisfy { $0.surveyID == 4 })
    }

    @Test("unknown top-level fields are rejected")
    func rejectsUnknownTopLevel() throws {
        let body = try json(#"{"responses": [{"survey_id": 1, "score": 9}], "dry_run": true}"#)
        #expect(thrownFields { () throws(ValidationError) in try ResponseSubmission.decodeBatch(body) } == ["dry_run"])
    }
}

// MARK: - SurveyInput

@Suite("SurveyInput.decode")
struct SurveyInputTests {
    @Test("a full create body is read")
    func fullCreate() throws {
        let input = try SurveyInput.decode(try json("""
        {"name": "Q4 relationship", "product_name": "Acme", "kind": "transactional",
         "default_locale": "tr", "time_zone": "Europe/Istanbul", "round_days": 30}
        """), creating: true)
        #expect(input == SurveyInput(name: "Q4 relationship", productName: "Acme", kind: .transactional,
                                     defaultLocale: "tr", timeZone: SurveyTimeZone(validated: "Europe/Istanbul"),
                                     roundDays: 30))
    }

    @Test("create requires name and product_name", arguments: [
        ("{}", ["name", "product_name"]),
        (#"{"name": "Q4"}"#, ["product_name"]),
        (#"{"product_name": "Acme"}"#, ["name"]),
        (#"{"name": "", "product_name": "Acme"}"#, ["name"]),
        (#"{"name": null, "product_name": "Acme"}"#, ["name"]),
    ])
    func createRequiresNames(text: String, expected: [String]) throws {
        let body = try json(text)
        #expect(Set(thrownFields { () throws(ValidationError) in try SurveyInput.decode(body, creating: true) }) == Set(expected))
    }

    @Test("a patch that changes nothing is rejected")
    func emptyPatch() throws {
        let body = try json("{}")
        #expect(thrownFields { () throws(ValidationError) in try SurveyInput.decode(body, creating: false) } == [""])
    }

    @Test("a patch with one field is read as just that field")
    func onePatchField() throws {
        #expect(try SurveyInput.decode(try json(#"{"round_days": 30}"#), creating: false) == SurveyInput(roundDays: 30))
        #expect(try SurveyInput.decode(try json(#"{"kind": "employee"}"#), creating: false) == SurveyInput(kind: .employee))
    }

    @Test("invalid values are rejected by field", arguments: [
        (#"{"kind": "nps"}"#, "kind"),
        (#"{"kind": null}"#, "kind"),
        (#"{"default_locale": "english"}"#, "default_locale"),
        (#"{"time_zone": "Europe/Atlantis"}"#, "time_zone"),
        (#"{"round_days": 0}"#, "round_days"),
        (#"{"round_days": 3651}"#, "round_days"),
        (#"{"round_days": 1.5}"#, "round_days"),
        (#"{"name": null}"#, "name"),
        (#"{"name": 7}"#, "name"),
    ])
    func rejectsInvalid(text: String, field: String) throws {
        let body = try json(text)
        #expect(thrownFields { () throws(ValidationError) in try SurveyInput.decode(body, creating: false) } == [field])
    }

    @Test("round_days accepts the whole documented range", arguments: [1, Limits.roundDays])
    func roundDaysRange(days: Int) throws {
        #expect(try SurveyInput.decode(try json(#"{"round_days": \#(days)}"#), creating: false).roundDays == days)
    }

    @Test("every survey kind is accepted", arguments: SurveyKind.allCases)
    func kinds(kind: SurveyKind) throws {
        #expect(try SurveyInput.decode(try json(#"{"kind": "\#(kind.rawValue)"}"#), creating: false).kind == kind)
    }
}

// MARK: - ContactInput.decodeUpsert

@Suite("ContactInput.decodeUpsert")
struct ContactInputTests {
    @Test("the body is read and the external id comes from the path")
    func upsert() throws {
        let c = try ContactInput.decodeUpsert(try json("""
        {"email": "Ada@Example.com", "name": "Ada", "locale": "pt-BR", "time_zone": "Asia/Almaty",
         "properties": {"plan": "pro", "old": null}}
        """), externalID: "crm-42")
        #expect(c == ContactInput(externalID: "crm-42", email: "ada@example.com", name: "Ada", locale: "pt-BR",
                                  timeZone: "Asia/Almaty", properties: ["plan": .string("pro"), "old": .null]))
    }

    @Test("an empty body is a valid upsert (the path identifies the contact)")
    func emptyBody() throws {
        #expect(try ContactInput.decodeUpsert(try json("{}"), externalID: "u-1") == ContactInput(externalID: "u-1"))
    }

    @Test("an invalid external id in the path is rejected", arguments: [
        "", "a\u{0}b", "line\nbreak", "del\u{7F}", String(repeating: "x", count: Limits.externalIDCharacters + 1),
    ])
    func badPathID(externalID: String) throws {
        let body = try json("{}")
        #expect(thrownFields { () throws(ValidationError) in try ContactInput.decodeUpsert(body, externalID: externalID) }
            == ["external_id"])
    }

    @Test("body problems are reported by field", arguments: [
        (#"{"external_id": "other"}"#, "external_id"),
        (#"{"email": "nope"}"#, "email"),
        (#"{"locale": "en_GB"}"#, "locale"),
        (#"{"time_zone": "Mars/Base"}"#, "time_zone"),
        (#"{"properties": {"x": {"y": 1}}}"#, "properties.x"),
        (#"{"properties": [1]}"#, "properties"),
        (#"{"nmae": "Ada"}"#, "nmae"),
    ])
    func bodyProblems(text: String, field: String) throws {
        let body = try json(text)
        #expect(thrownFields { () throws(ValidationError) in try ContactInput.decodeUpsert(body, externalID: "u-1") } == [field])
    }
}

// MARK: - Identifiers

@Suite("Identifiers")
struct IdentifiersTests {
    @Test("plausible e-mail addresses are accepted and lower-cased", arguments: [
        ("ada@example.com", "ada@example.com"),
        ("Ada@Example.COM", "ada@example.com"),
        ("a@b.co", "a@b.co"),
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
        ("ÇAĞRI@örnek.com.tr", "çağri@örnek.com.tr"),
    ])
    func validEmails(raw: String, expected: String) {
        #expect(Identifiers.normalizedEmail(raw) == expected)
    }

    @Test("implausible e-mail addresses are rejected", arguments: [
        "", "ada", "@example.com", "ada@", "ada@example", "ada@.example.com", "ada@example.com.",
        "ada@exa..mple.com", "a@b@c.com", "ada lovelace@example.com", "<ada@example.com>", "ada@example.com;",
        "ada,b@example.com", "\"ada\"@example.com", "ada@exam\tple.com", "ada\u{7F}@example.com",
    ])
    func invalidEmails(raw: String) {
        #expect(Identifiers.normalizedEmail(raw) == nil)
    }

    @Test("the ASCII path answers exactly as the general path, on 20,000 seeded near-addresses")
    func asciiPathAgreesWithGeneralPath() {
        var random = SeededGenerator(seed: 7)
        // Mostly address-like text, with the characters each rule is about.
        let alphabet = Array("aZ09.@@..-+_ <>,;\"\t\r\n\u{7F}xY")
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...20, using: &random)
            var raw = String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
            if Bool.random(using: &random) { raw = "Ada.L" + raw + "@Example.com" }
            #expect(Identifiers.normalizedASCIIEmail(raw) == Identifiers.normalizedUnicodeEmail(raw), "\(raw.debugDescription)")
        }
        let long = String(repeating: "l", count: 64) + "@" + String(repeating: "D", count: 185) + ".com"
        #expect(Identifiers.normalizedASCIIEmail(long) == Identifiers.normalizedUnicodeEmail(long))
        #expect(Identifiers.normalizedASCIIEmail(long + "m") == Identifiers.normalizedUnicodeEmail(long + "m"))
    }

    @Test("the local part may have 64 bytes and the address 254 characters, not more")
    func emailLengthLimits() {
        let local64 = String(repeating: "l", count: 64)
        #expect(Identifiers.normalizedEmail("\(local64)@example.com") != nil)
        #expect(Identifiers.normalizedEmail("\(local64)l@example.com") == nil)
        let domain189 = String(repeating: "d", count: 185) + ".com"
        #expect(Identifiers.normalizedEmail("\(local64)@\(domain189)")?.count == 254)
        #expect(Identifiers.normalizedEmail("\(local64)@d\(domain189)") == nil)
    }

    @Test("well-formed language tags are valid", arguments: [
        "en", "tr", "ast", "pt-BR", "zh-Hans", "sr-Latn-RS", "es-419", "de-CH-1996", "EN", "en-abcdefgh-x",
    ])
    func validLocales(tag: String) {
        #expect(Identifiers.isValidLocale(tag))
    }

    @Test("malformed language tags are invalid", arguments: [
        "", "e", "english", "en_US", "en-", "-en", "en--US", "12", "e1", "en-ABCDEFGHI", "en US", "é",
        "en" + String(repeating: "-abcdefgh", count: 4),  // 38 characters: too long
    ])
    func invalidLocales(tag: String) {
        #expect(!Identifiers.isValidLocale(tag))
    }

    @Test("external ids: 1 to 255 characters without control characters")
    func externalIDs() {
        #expect(Identifiers.isValidExternalID("u-1"))
        #expect(Identifiers.isValidExternalID("user 42"))
        #expect(Identifiers.isValidExternalID("ünïcødé-ид"))
        // Characters, not bytes: 255 two-byte characters are fine.
        #expect(Identifiers.isValidExternalID(String(repeating: "é", count: Limits.externalIDCharacters)))
        #expect(!Identifiers.isValidExternalID(String(repeating: "x", count: Limits.externalIDCharacters + 1)))
        #expect(!Identifiers.isValidExternalID(""))
        #expect(!Identifiers.isValidExternalID("a\nb"))
        #expect(!Identifiers.isValidExternalID("a\tb"))
        #expect(!Identifiers.isValidExternalID("a\u{0}b"))
        #expect(!Identifiers.isValidExternalID("a\u{7F}b"))
    }
}

// MARK: - Properties

@Suite("Properties")
struct PropertiesTests {
    @Test("a merge patch sets values and removes keys given null")
    func mergePatch() {
        let base: Properties = ["plan": .string("pro"), "mrr": .integer(100), "country": .string("TR")]
        let patch: Properties = ["mrr": .integer(120), "country": .null, "seats": .integer(5), "absent": .null]
        #expect(base.merging(patch: patch) == ["plan": .string("pro"), "mrr": .integer(120), "seats": .integer(5)])
        #expect(base.merging(patch: [:]) == base)
    }

    @Test("jsonText is compact with sorted keys")
    func jsonTextSorted() {
        let p: Properties = ["b": .integer(1), "a": .string("x"), "c": .bool(true), "B": .double(0.5)]
        #expect(p.jsonText == #"{"B":0.5,"a":"x","b":1,"c":true}"#)
        #expect(Properties().jsonText == "{}")
    }

    @Test("jsonText parses back to the same properties")
    func jsonTextRoundTrip() {
        let p: Properties = ["plan": .string("pro \"gold\" \\ çay 🍵\n"), "mrr": .integer(-120), "ratio": .double(0.1),
                             "beta": .bool(false), "big": .integer(Int64.max)]
        #expect(Properties(jsonText: p.jsonText) == p)
    }

    @Test("stored text that is not an object reads as no properties", arguments: ["[1]", "\"x\"", "garbage", "", "7"])
    func nonObjectJSONText(text: String) {
        #expect(Properties(jsonText: text).isEmpty)
    }

    @Test("segment values: strings as they are, numbers and booleans in JSON form", arguments: [
        (JSONValue.string("pro"), "pro" as String?),
        (.string(""), ""),
        (.integer(-42), "-42"),
        (.double(3.0), "3"),
        (.double(-0.0), "0"),
        (.double(2.5), "2.5"),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.null, nil),
        (.array([.integer(1)]), nil),
        (.object(["a": .integer(1)]), nil),
    ])
    func segmentValues(value: JSONValue, expected: String?) {
        #expect(value.segmentValue == expected)
    }

    @Test("strings longer than Limits.segmentValueBytes bytes are not segments")
    func segmentValueLimit() {
        let atLimit = String(repeating: "é", count: Limits.segmentValueBytes / 2)  // 2 bytes each
        #expect(JSONValue.string(atLimit).segmentValue == atLimit)
        #expect(JSONValue.string(atLimit + "x").segmentValue == nil)
    }
}

@Suite("InputReader: strings and unknown fields")
struct InputReaderStringTests {
    private func read(_ text: String, max: Int) -> (String?, [ValidationIssue]) {
        let reader = InputReader(.object(["s": .string(text)]))
        let value = reader.string("s", maxCharacters: max)
        return (value, reader.issues)
    }

    @Test("lengths are Unicode scalars, whatever their UTF-8 size")
    func lengthInScalars() {
        // é as one scalar, e + combining acute as two, a flag as two regional indicators, CJK, an emoji of 4 bytes.
        for (text, scalars) in [("é", 1), ("e\u{301}", 2), ("🇹🇷", 2), ("客服", 2), ("😀a", 2), ("İstanbul", 8)] {
            #expect(read(text, max: scalars).0 == text)
            #expect(read(text, max: scalars - 1).1.map(\.message) == ["must be at most \(scalars - 1) characters, got \(scalars)"])
        }
    }

    @Test("C0 controls and DEL are refused; line breaks, tabs and other scripts are not")
    func controlCharacters() {
        for bad in ["a\u{0}b", "\u{1F}", "x\u{7F}", "é\u{1B}[31m"] {
            #expect(read(bad, max: 100).1.map(\.message) == ["must not contain control characters"])
        }
        for good in ["line\nbreak\r\n", "tab\there", "\u{85}next line", "الدعم بطيء"] {
            #expect(read(good, max: 100).0 == good)
        }
    }

    @Test("every field read means none is unknown; one unread is reported, however often others were read")
    func unknownFields() {
        let reader = InputReader(.object(["a": .integer(1), "b": .string("x"), "scroe": .integer(9)]))
        _ = reader.value("a")
        _ = reader.value("a")
        _ = reader.value("b")
        _ = reader.value("absent")
        reader.rejectUnknownFields()
        #expect(reader.issues == [ValidationIssue(field: "scroe", message: "unknown field")])
        let all = InputReader(.object(["a": .integer(1)]))
        _ = all.value("a")
        all.rejectUnknownFields()
        #expect(all.issues.isEmpty)
    }

    @Test("trimmingSpaces removes what Foundation's .whitespaces does, and only that")
    func trimming() {
        for text in ["  plain  ", "\tTab\t", "\u{A0}nbsp\u{A0}", "\u{3000}全角\u{3000}", "\u{2009}thin", "e\u{301} ", "   ", "", "a\nb", "\nline\n", "x\u{200B}"] {
            #expect(text.trimmingSpaces() == text.trimmingCharacters(in: .whitespaces), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        // Scalar by scalar over the Basic Multilingual Plane: the same set of spaces.
        for value in UInt32(0)...0xFFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "a" + String(scalar) + "a"
            let padded = String(scalar) + "b" + String(scalar)
            #expect(padded.trimmingSpaces() == padded.trimmingCharacters(in: .whitespaces), "U+\(String(value, radix: 16))")
            #expect(text.trimmingSpaces() == text)
        }
    }
}
