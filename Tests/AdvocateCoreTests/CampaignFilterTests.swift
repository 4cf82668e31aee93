import AdvocateCore
import Testing

/// A condition from JSON text that must be valid.
private func condition(_ text: String) throws -> ContactCondition {
    try ContactCondition.decode(campaignJSON(text))
}

/// A filter from JSON text that must be valid.
private func filter(_ text: String) throws -> ContactFilter {
    try ContactFilter.decode(campaignJSON(text), path: "audience")
}

/// The problems of decoding `text` as an audience filter, as `field: message`.
private func audienceIssues(_ text: String) throws -> [String] {
    let json = try campaignJSON(text)
    return campaignIssues { () throws(ValidationError) in try ContactFilter.decode(json, path: "audience") }
}

/// The fields named by the problems of decoding `text` as an audience filter.
private func audienceFields(_ text: String) throws -> [String] {
    let json = try campaignJSON(text)
    do {
        _ = try ContactFilter.decode(json, path: "audience")
        return []
    } catch {
        return error.issues.map(\.field)
    }
}

private let paid = campaignContact(1, properties: ["plan": .string("paid"), "mrr": .integer(120), "seats": .string("12"),
                                                   "ratio": .double(0.25), "beta": .bool(true), "gone": .null])
private let free = campaignContact(2, properties: ["plan": .string("free"), "mrr": .integer(0), "seats": .string("n/a")])
private let bare = campaignContact(3)

@Suite("Campaign: ContactFilter matching")
struct CampaignFilterMatchingTests {
    @Test("eq on a string property matches exactly that string, case and all")
    func eqString() throws {
        let c = try condition(#"{"property": "plan", "op": "eq", "value": "paid"}"#)
        #expect(c.matches(paid))
        #expect(!c.matches(free))
        #expect(!c.matches(bare))
        #expect(try !condition(#"{"property": "plan", "op": "eq", "value": "Paid"}"#).matches(paid))
    }

    @Test("eq compares numbers as numbers: 120 equals 120.0 and \"120\", a numeric string property equals a number")
    func eqNumbers() throws {
        #expect(try condition(#"{"property": "mrr", "op": "eq", "value": 120}"#).matches(paid))
        #expect(try condition(#"{"property": "mrr", "op": "eq", "value": 120.0}"#).matches(paid))
        #expect(try condition(#"{"property": "mrr", "op": "eq", "value": 1.2e2}"#).matches(paid))
        #expect(try condition(#"{"property": "mrr", "op": "eq", "value": "120"}"#).matches(paid))
        #expect(try condition(#"{"property": "seats", "op": "eq", "value": 12}"#).matches(paid))
        #expect(try condition(#"{"property": "ratio", "op": "eq", "value": "0.25"}"#).matches(paid))
        #expect(try !condition(#"{"property": "mrr", "op": "eq", "value": 121}"#).matches(paid))
        // Two strings compare as strings, even when both look numeric.
        #expect(try !condition(#"{"property": "seats", "op": "eq", "value": "12.0"}"#).matches(paid))
    }

    @Test("integers beyond 2^53 compare exactly")
    func largeIntegers() throws {
        let c = campaignContact(9, properties: ["account": .integer(9_007_199_254_740_993)])
        #expect(try condition(#"{"property": "account", "op": "eq", "value": 9007199254740993}"#).matches(c))
        #expect(try !condition(#"{"property": "account", "op": "eq", "value": 9007199254740992}"#).matches(c))
        #expect(try condition(#"{"property": "account", "op": "eq", "value": "9007199254740993"}"#).matches(c))
    }

    @Test("booleans equal booleans only")
    func booleans() throws {
        #expect(try condition(#"{"property": "beta", "op": "eq", "value": true}"#).matches(paid))
        #expect(try !condition(#"{"property": "beta", "op": "eq", "value": false}"#).matches(paid))
        #expect(try !condition(#"{"property": "beta", "op": "eq", "value": "true"}"#).matches(paid))
        #expect(try !condition(#"{"property": "beta", "op": "eq", "value": 1}"#).matches(paid))
    }

    @Test("ne and not_in are the complements of eq and in: a contact without the property matches them")
    func negations() throws {
        let ne = try condition(#"{"property": "plan", "op": "ne", "value": "paid"}"#)
        #expect(!ne.matches(paid))
        #expect(ne.matches(free))
        #expect(ne.matches(bare))
        let notIn = try condition(#"{"property": "plan", "op": "not_in", "value": ["paid", "trial"]}"#)
        #expect(!notIn.matches(paid))
        #expect(notIn.matches(free))
        #expect(notIn.matches(bare))
        for contact in [paid, free, bare] {
            #expect(ne.matches(contact) != (try condition(#"{"property": "plan", "op": "eq", "value": "paid"}"#).matches(contact)))
        }
    }

    @Test("in matches any listed value, mixing strings and numbers")
    func inList() throws {
        let c = try condition(#"{"property": "plan", "op": "in", "value": ["trial", "paid"]}"#)
        #expect(c.matches(paid))
        #expect(!c.matches(free))
        #expect(!c.matches(bare))
        let numbers = try condition(#"{"property": "mrr", "op": "in", "value": [0, "120"]}"#)
        #expect(numbers.matches(paid))
        #expect(numbers.matches(free))
    }

    @Test("gte and lte compare numbers and numeric strings, inclusively")
    func ranges() throws {
        #expect(try condition(#"{"property": "mrr", "op": "gte", "value": 120}"#).matches(paid))
        #expect(try !condition(#"{"property": "mrr", "op": "gte", "value": 120.5}"#).matches(paid))
        #expect(try condition(#"{"property": "mrr", "op": "lte", "value": 120}"#).matches(paid))
        #expect(try !condition(#"{"property": "mrr", "op": "lte", "value": 119}"#).matches(paid))
        #expect(try condition(#"{"property": "seats", "op": "gte", "value": 10}"#).matches(paid))
        #expect(try condition(#"{"property": "ratio", "op": "lte", "value": 0.25}"#).matches(paid))
    }

    @Test("gte and lte never match a missing, boolean or non-numeric value", arguments: [
        Properties(), ["x": .bool(true)], ["x": .string("n/a")], ["x": .string("nan")], ["x": .string("inf")],
        ["x": .string("0x10")], ["x": .string(" 5")], ["x": .string("5 ")], ["x": .string("")], ["x": .string("1e")],
        ["x": .string(".5")], ["x": .string("+5")], ["x": .null],
    ])
    func rangesIgnoreNonNumbers(properties: Properties) throws {
        let c = campaignContact(5, properties: properties)
        #expect(try !condition(#"{"property": "x", "op": "gte", "value": -1e300}"#).matches(c))
        #expect(try !condition(#"{"property": "x", "op": "lte", "value": 1e300}"#).matches(c))
    }

    @Test("numeric strings in JSON number syntax count, leading zeros and exponents included", arguments: [
        ("5", 5.0), ("-5", -5.0), ("007", 7.0), ("1e3", 1000.0), ("2.5E-1", 0.25), ("-0", 0.0), ("12.50", 12.5),
    ])
    func numericStrings(text: String, value: Double) throws {
        let c = campaignContact(6, properties: ["x": .string(text)])
        #expect(try condition(#"{"property": "x", "op": "gte", "value": \#(value)}"#).matches(c))
        #expect(try condition(#"{"property": "x", "op": "lte", "value": \#(value)}"#).matches(c))
        #expect(try !condition(#"{"property": "x", "op": "gte", "value": \#(value + 0.001)}"#).matches(c))
    }

    @Test("exists and not_exists: a null property counts as missing")
    func existence() throws {
        let exists = try condition(#"{"property": "plan", "op": "exists"}"#)
        #expect(exists.matches(paid))
        #expect(!exists.matches(bare))
        #expect(try !condition(#"{"property": "gone", "op": "exists"}"#).matches(paid))
        #expect(try condition(#"{"property": "gone", "op": "not_exists"}"#).matches(paid))
        #expect(try !condition(#"{"property": "plan", "op": "not_exists"}"#).matches(paid))
        #expect(try condition(#"{"field": "email_domain", "op": "not_exists"}"#).matches(bare))
    }

    @Test("locale ignores case; in lists several languages")
    func locale() throws {
        let kazakh = campaignContact(7, locale: "kk")
        let chinese = campaignContact(8, locale: "zh-Hans")
        let c = try condition(#"{"field": "locale", "op": "in", "value": ["tr", "KK", "zh-hans"]}"#)
        #expect(c.matches(kazakh))
        #expect(c.matches(chinese))
        #expect(!c.matches(campaignContact(9, locale: "en")))
        #expect(!c.matches(bare))
        // A tag is compared whole: tr does not cover tr-CY.
        #expect(try !condition(#"{"field": "locale", "op": "eq", "value": "tr"}"#).matches(campaignContact(10, locale: "tr-CY")))
    }

    @Test("email_domain is the part after @, without regard to case")
    func emailDomain() throws {
        let c = try condition(#"{"field": "email_domain", "op": "eq", "value": "Example.COM.tr"}"#)
        #expect(c.matches(campaignContact(1, email: "ada@example.com.tr")))
        #expect(!c.matches(campaignContact(2, email: "ada@mail.example.com.tr")))
        #expect(!c.matches(campaignContact(3, email: "example.com.tr@other.org")))
        #expect(!c.matches(bare))
        #expect(try condition(#"{"field": "email_domain", "op": "ne", "value": "example.com.tr"}"#).matches(bare))
    }

    @Test("external_id and time_zone compare exactly")
    func exactFields() throws {
        let c = campaignContact(1, timeZone: "Europe/Istanbul", externalID: "u-1")
        #expect(try condition(#"{"field": "external_id", "op": "eq", "value": "u-1"}"#).matches(c))
        #expect(try !condition(#"{"field": "external_id", "op": "eq", "value": "U-1"}"#).matches(c))
        #expect(try condition(#"{"field": "time_zone", "op": "in", "value": ["Asia/Almaty", "Europe/Istanbul"]}"#).matches(c))
        #expect(try !condition(#"{"field": "time_zone", "op": "eq", "value": "europe/istanbul"}"#).matches(c))
    }

    @Test("a filter matches when all its conditions do; the empty filter matches everyone")
    func allOf() throws {
        let f = try filter(#"[{"property": "plan", "op": "eq", "value": "paid"}, {"property": "mrr", "op": "gte", "value": 100}]"#)
        #expect(f.matches(paid))
        #expect(!f.matches(free))
        let g = try filter(#"[{"property": "plan", "op": "eq", "value": "paid"}, {"property": "mrr", "op": "gte", "value": 121}]"#)
        #expect(!g.matches(paid))
        let everyone = try filter("[]")
        #expect(everyone == .everyone)
        #expect([paid, free, bare].allSatisfy(everyone.matches))
    }

    @Test("the same condition can be built in code, with the same checks")
    func buildInCode() throws {
        let c = try ContactCondition(.property("plan"), .in, .array([.string("paid"), .string("trial")]))
        #expect(c == (try condition(#"{"property": "plan", "op": "in", "value": ["paid", "trial"]}"#)))
        #expect(c.matches(paid))
        #expect(campaignIssues { () throws(ValidationError) in try ContactCondition(.property("plan"), .gte, .string("x")) }
                == ["value: must be a number with gte, got string"])
        #expect(campaignIssues { () throws(ValidationError) in try ContactCondition(.property("@channel"), .exists) }
                == ["property: property names must not start with @ (reserved for built-in report dimensions)"])
        #expect(campaignIssues { () throws(ValidationError) in try ContactCondition(.field(.locale), .eq) }
                == ["value: is required with eq"])
    }
}

@Suite("Campaign: ContactFilter decoding")
struct CampaignFilterDecodingTests {
    @Test("every operator decodes with the value it needs")
    func acceptsEveryOperator() throws {
        let f = try filter("""
        [{"property": "plan", "op": "eq", "value": "paid"}, {"property": "plan", "op": "ne", "value": 3},
         {"property": "plan", "op": "in", "value": ["a", 1, true]}, {"property": "plan", "op": "not_in", "value": [2.5]},
         {"property": "mrr", "op": "gte", "value": 10}, {"property": "mrr", "op": "lte", "value": 10.5},
         {"property": "plan", "op": "exists"}, {"field": "locale", "op": "not_exists"}]
        """)
        #expect(f.conditions.map(\.op) == [.eq, .ne, .in, .notIn, .gte, .lte, .exists, .notExists])
        #expect(f.conditions.last?.subject == .field(.locale))
        #expect(f.conditions.first?.subject == .property("plan"))
    }

    @Test("an unknown operator is named with its path and the list of operators")
    func unknownOperator() throws {
        let issues = try audienceIssues(#"[{"property": "plan", "op": "eq", "value": "x"}, {"property": "plan", "op": "equals", "value": "x"}]"#)
        #expect(issues == ["audience[1].op: must be one of eq, ne, in, not_in, gte, lte, exists, not_exists"])
    }

    @Test("each bad value is refused for its operator", arguments: [
        (#"{"property": "p", "op": "eq"}"#, "audience[0].value: is required with eq"),
        (#"{"property": "p", "op": "eq", "value": null}"#, "audience[0].value: must not be null (use exists or not_exists to test for a missing value)"),
        (#"{"property": "p", "op": "eq", "value": ["a"]}"#, "audience[0].value: must be a string, number or boolean, got array (use in or not_in for a list)"),
        (#"{"property": "p", "op": "ne", "value": {}}"#, "audience[0].value: must be a string, number or boolean, got object (use in or not_in for a list)"),
        (#"{"property": "p", "op": "in", "value": "a"}"#, "audience[0].value: must be an array of strings, numbers or booleans with in, got string"),
        (#"{"property": "p", "op": "not_in", "value": []}"#, "audience[0].value: must list at least one value"),
        (#"{"property": "p", "op": "in", "value": ["a", ["b"]]}"#, "audience[0].value[1]: must be a string, number or boolean, got array"),
        (#"{"property": "p", "op": "in", "value": ["a", null]}"#, "audience[0].value[1]: must not be null (use exists or not_exists to test for a missing value)"),
        (#"{"property": "p", "op": "gte", "value": "10"}"#, "audience[0].value: must be a number with gte, got string"),
        (#"{"property": "p", "op": "lte"}"#, "audience[0].value: is required with lte"),
        (#"{"property": "p", "op": "exists", "value": true}"#, "audience[0].value: must not be given with exists"),
        (#"{"property": "p", "op": "not_exists", "value": null}"#, "audience[0].value: must not be given with not_exists"),
        (#"{"field": "locale", "op": "gte", "value": 1}"#, "audience[0].op: must be one of eq, ne, in, not_in, exists, not_exists for field locale (gte and lte compare numbers, which only properties hold)"),
        (#"{"field": "external_id", "op": "eq", "value": 42}"#, "audience[0].value: must be a string for field external_id, got integer"),
        (#"{"field": "locale", "op": "in", "value": ["tr", true]}"#, "audience[0].value[1]: must be a string for field locale, got boolean"),
    ])
    func rejectsBadValue(text: String, expected: String) throws {
        #expect(try audienceIssues("[\(text)]") == [expected])
    }

    @Test("the subject must be one property or one known field", arguments: [
        (#"{"op": "exists"}"#, "audience[0]: needs property (a contact property name) or field (one of locale, time_zone, email_domain, external_id)"),
        (#"{"property": "plan", "field": "locale", "op": "exists"}"#, "audience[0]: must have property or field, not both"),
        (#"{"field": "country", "op": "exists"}"#, "audience[0].field: must be one of locale, time_zone, email_domain, external_id"),
        (#"{"property": 7, "op": "exists"}"#, "audience[0].property: must be a string, got integer"),
        (#"{"property": "", "op": "exists"}"#, "audience[0].property: property names must be 1 to 100 characters"),
        (#"{"property": "@channel", "op": "exists"}"#, "audience[0].property: property names must not start with @ (reserved for built-in report dimensions)"),
    ])
    func rejectsBadSubject(text: String, expected: String) throws {
        #expect(try audienceIssues("[\(text)]") == [expected])
    }

    @Test("property names follow the contact rules: 100 characters pass, 101 do not")
    func propertyNameLength() throws {
        let ok = String(repeating: "ş", count: 100)
        #expect(try filter(#"[{"property": "\#(ok)", "op": "exists"}]"#).conditions.count == 1)
        let long = String(repeating: "ş", count: 101)
        #expect(try audienceFields(#"[{"property": "\#(long)", "op": "exists"}]"#) == ["audience[0].property"])
        // Non-Latin names are ordinary names.
        #expect(try filter(#"[{"property": "тариф", "op": "eq", "value": "ақылы"}]"#).matches(
            campaignContact(1, properties: ["тариф": .string("ақылы")])))
    }

    @Test("unknown keys are refused")
    func unknownKeys() throws {
        #expect(try audienceIssues(#"[{"property": "plan", "op": "exists", "values": [1]}]"#)
                == ["audience[0].values: unknown field"])
    }

    @Test("every problem of every condition is reported at once")
    func collectsEverything() throws {
        let fields = try audienceFields("""
        [{"property": "plan", "op": "eq", "value": "paid"},
         {"property": "@x", "op": "gte", "value": "high", "extra": 1},
         "plan = paid",
         {"field": "nope", "op": "between"}]
        """)
        #expect(fields == ["audience[1].property", "audience[1].value", "audience[1].extra", "audience[2]",
                           "audience[3].field", "audience[3].op"])
    }

    @Test("a filter must be an array, of at most 50 conditions")
    func shapeAndSize() throws {
        #expect(try audienceIssues(#"{"property": "plan", "op": "exists"}"#) == ["audience: must be an array of conditions, got object"])
        let fifty = "[" + Array(repeating: #"{"property": "p", "op": "exists"}"#, count: 50).joined(separator: ",") + "]"
        #expect(try filter(fifty).conditions.count == 50)
        let fiftyOne = "[" + Array(repeating: #"{"property": "p", "op": "exists"}"#, count: 51).joined(separator: ",") + "]"
        #expect(try audienceIssues(fiftyOne) == ["audience: must have at most 50 conditions, got 51"])
    }

    @Test("in takes at most 1,000 values")
    func listSize() throws {
        let thousand = (0..<1000).map(String.init).joined(separator: ",")
        #expect(try filter(#"[{"property": "p", "op": "in", "value": [\#(thousand)]}]"#).conditions.count == 1)
        #expect(try audienceIssues(#"[{"property": "p", "op": "in", "value": [\#(thousand), 1000]}]"#)
                == ["audience[0].value: must list at most 1000 values, got 1001"])
    }

    @Test("json gives back what decode reads (domains and locales lower-cased)")
    func roundTrip() throws {
        let text = """
        [{"property": "plan", "op": "in", "value": ["paid", 2, false]}, {"field": "email_domain", "op": "eq", "value": "Example.com"},
         {"property": "mrr", "op": "gte", "value": 99.5}, {"field": "locale", "op": "exists"}]
        """
        let f = try filter(text)
        #expect(try ContactFilter.decode(f.json) == f)
        #expect(f.conditions[1].value == .string("example.com"))
        #expect(f.conditions[0].json == .object(["property": .string("plan"), "op": .string("in"),
                                                 "value": .array([.string("paid"), .integer(2), .bool(false)])]))
        #expect(f.conditions[3].json == .object(["field": .string("locale"), "op": .string("exists")]))
    }
}
