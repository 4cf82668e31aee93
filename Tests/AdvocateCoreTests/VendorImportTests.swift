import AdvocateCore
import NPS
import Testing

@Suite("Other tools' exports: date-times, Delighted, Wootric, Promoter.io, SurveyMonkey, any CSV")
struct VendorImportTests {
    static let delightedHeader = ["Response ID", "Email", "Name", "Score", "Comment", "Response Timestamp", "Tags", "Notes", "Plan", "Survey Type"]

    func answer(_ result: Result<VendorCSV.Row, ValidationError>) throws -> ResponseSubmission {
        guard case .success(.answer(let s)) = result else { throw ValidationError(field: "row", "not an answer: \(result)") }
        return s
    }

    @Test("date-times in the forms exports use", arguments: [
        ("1740813300", "2025-03-01T07:15:00Z"), ("1740813300000", "2025-03-01T07:15:00Z"),
        ("2025-03-01T10:15:00+03:00", "2025-03-01T07:15:00Z"), ("2025-03-01 10:15:00 +0300", "2025-03-01T07:15:00Z"),
        ("2025-03-01 10:15:00 +03:00", "2025-03-01T07:15:00Z"), ("2025-03-01 10:15:00 -0700", "2025-03-01T17:15:00Z"),
        ("2025-03-01 10:15:00 UTC", "2025-03-01T10:15:00Z"), ("2025-03-01 10:15:00", "2025-03-01T10:15:00Z"),
        ("2025-03-01 10:15", "2025-03-01T10:15:00Z"), ("2025-03-01", "2025-03-01T00:00:00Z"),
        ("03/01/2025 10:15:00 AM", "2025-03-01T10:15:00Z"), ("03/01/2025 12:05:00 PM", "2025-03-01T12:05:00Z"),
        ("03/01/2025 12:05 AM", "2025-03-01T00:05:00Z"), ("03/01/2025 1:05:09 PM", "2025-03-01T13:05:09Z"),
    ])
    func timestamps(_ text: String, _ expected: String) {
        #expect(ImportTimestamp.parse(text) == Timestamp(rfc3339: expected)!)
    }

    @Test("text that is not a date-time is refused, not guessed", arguments: [
        "", "yesterday", "2025-13-01", "2025-03-01 25:00:00", "01/03/25", "2025-03-01 10:15:00 +3", "13/01/2025 10:00", "03/01/2025 13:00 PM",
        "2025-03-01 10:15:00 Europe/Istanbul", "12345678901234",
    ])
    func badTimestamps(_ text: String) {
        #expect(ImportTimestamp.parse(text) == nil)
    }

    @Test("a Delighted row keeps its id, person, score, comment, time, tags, notes and other columns as properties")
    func delightedRow() throws {
        let csv = try VendorCSV(header: Self.delightedHeader, vendor: .delighted)
        let s = try answer(csv.row(["101", "Ada@Example.test", "Ada", "9", "Harika, \"çok\"\niyi", "2025-03-01 10:15:00 +0300",
                                    "fast, support,", "Called back", "paid", "nps"], line: 2, surveyID: 7))
        #expect(s.surveyID == 7)
        #expect(s.sourceID == "delighted:101")
        #expect(s.contact == ContactInput(email: "ada@example.test", name: "Ada"))
        #expect(s.score == Score(9))
        #expect(s.comment == "Harika, \"çok\"\niyi")
        #expect(s.createdAt == Timestamp(rfc3339: "2025-03-01T07:15:00Z"))
        #expect(s.tags == ["fast", "support"])
        #expect(s.notes == ["Called back"])
        #expect(s.properties == ["Plan": .string("paid")])
        #expect(s.channel == .import)
    }

    @Test("rows without a score, of another survey type or blank are skipped with a reason; broken rows are errors naming the line")
    func delightedSkipsAndErrors() throws {
        let csv = try VendorCSV(header: Self.delightedHeader, vendor: .delighted)
        let noScore = csv.row(["1", "a@b.test", "", "", "", "", "", "", "", "nps"], line: 2, surveyID: 1)
        guard case .success(.skipped(let why)) = noScore else { Issue.record("\(noScore)"); return }
        #expect(why.contains("no score"))
        guard case .success(.skipped(let csat)) = csv.row(["2", "a@b.test", "", "4", "", "", "", "", "", "csat"], line: 3, surveyID: 1) else {
            Issue.record("csat not skipped"); return
        }
        #expect(csat.contains("csat"))
        for (cells, field) in [(["3", "a@b.test", "", "11", "", "", "", "", "", "nps"], "line 4.score"),
                               (["3", "a@b.test", "", "ten", "", "", "", "", "", "nps"], "line 4.score"),
                               (["3", "a@b.test", "", "5", "", "last tuesday", "", "", "", "nps"], "line 4.created_at"),
                               (["3", "not-an-address", "", "5", "", "", "", "", "", "nps"], "line 4.contact.email"),
                               (["3", "a@b.test", "5"], "line 4"),
                               (["3", "a@b.test", "", "5", "", "2999-01-01", "", "", "", "nps"], nil)] as [([String], String?)] {
            let result = csv.row(cells, line: 4, surveyID: 1)
            if let field {
                guard case .failure(let e) = result else { Issue.record("\(cells) accepted"); continue }
                #expect(e.issues.map(\.field).contains(field), "\(e.issues)")
            } else {
                // A future date is the database's to refuse (it knows the time); the row itself is fine.
                #expect((try? answer(result)) != nil)
            }
        }
    }

    @Test("without a response id the source id is a digest of who, when, score and comment: equal rows, equal ids")
    func digestSourceID() throws {
        let csv = try VendorCSV(header: ["Email", "Score", "Comment", "Date"], vendor: .promoter)
        let a = try answer(csv.row(["a@b.test", "9", "ok", "2025-01-01"], line: 2, surveyID: 1))
        let b = try answer(csv.row(["a@b.test", "9", "ok", "2025-01-01"], line: 9, surveyID: 1))
        let c = try answer(csv.row(["a@b.test", "9", "ok!", "2025-01-01"], line: 3, surveyID: 1))
        #expect(a.sourceID == b.sourceID)
        #expect(a.sourceID != c.sourceID)
        #expect(a.sourceID?.hasPrefix("promoter:row:") == true && a.sourceID?.count == "promoter:row:".count + 32)
    }

    @Test("Wootric's columns, and --map naming columns the preset does not know")
    func wootricAndMapping() throws {
        let header = ["id", "end_user_email", "end_user_external_id", "score", "text", "created_at", "Segment", "updated_at"]
        let csv = try VendorCSV(header: header, vendor: .wootric, mapping: [.locale: "Segment"])
        let s = try answer(csv.row(["w1", "x@y.test", "u-9", "10", "Love it", "2025-02-02T00:00:00Z", "tr", "2025-02-03"], line: 2, surveyID: 1))
        #expect(s.sourceID == "wootric:w1")
        #expect(s.contact?.externalID == "u-9")
        #expect(s.locale == "tr")
        #expect(s.properties.isEmpty, "updated_at is Wootric's bookkeeping, not a property")
    }

    @Test("SurveyMonkey: the score column is named with --map, the second header row is skipped, unmapped questions can be left out")
    func surveyMonkey() throws {
        let question = "How likely is it that you would recommend Acme to a friend or colleague?"
        let header = ["Respondent ID", "Collector ID", "Start Date", "End Date", "Email Address", question, "What is the main reason for your score?"]
        #expect(throws: ValidationError.self) { try VendorCSV(header: header, vendor: .surveymonkey) }
        let csv = try VendorCSV(header: header, vendor: .surveymonkey,
                                mapping: [.score: question, .comment: "What is the main reason for your score?"], onlyMapped: true)
        guard case .success(.skipped) = csv.row(["", "", "", "", "", "Response", "Open-Ended Response"], line: 2, surveyID: 1) else {
            Issue.record("second header row not skipped"); return
        }
        let s = try answer(csv.row(["114", "9", "03/01/2025 10:00:00 AM", "03/01/2025 10:05:00 AM", "m@x.test", "6", "Slow"], line: 3, surveyID: 1))
        #expect(s.sourceID == "surveymonkey:114")
        #expect(s.score == Score(6))
        #expect(s.comment == "Slow")
        #expect(s.createdAt == Timestamp(rfc3339: "2025-03-01T10:05:00Z"))
    }

    @Test("a header that cannot be read says why: no score, an unknown --map column, a duplicate or unusable property column")
    func badHeaders() {
        func issues(_ header: [String], _ vendor: VendorCSV.Vendor = .csv, mapping: [VendorCSV.Field: String] = [:]) -> [String] {
            do { _ = try VendorCSV(header: header, vendor: vendor, mapping: mapping); return [] } catch { return error.issues.map(\.message) }
        }
        #expect(issues(["email", "comment"]).contains { $0.contains("no score column") })
        #expect(issues(["score", "x"], mapping: [.comment: "Feedback"]).contains { $0.contains("no column \"Feedback\"") })
        #expect(issues(["score", "Plan", "plan"]).contains { $0.contains("appears twice") })
        #expect(issues(["score", String(repeating: "q", count: 101)]).contains { $0.contains("cannot be a property name") })
        #expect(issues(["score", "@channel"]).contains { $0.contains("cannot be a property name") })
    }

    @Test("Delighted's people export: e-mail required, name and locale kept, activity columns left out, the rest properties")
    func people() throws {
        let csv = try PeopleCSV(header: ["Person ID", "Name", "Email", "Created At", "Last Sent At", "Locale", "Plan", "MRR"])
        guard case .success(let c) = csv.contact(["12", "Ada", "ADA@x.test", "1700000000", "", "tr", "paid", "120"], line: 2) else {
            Issue.record("not read"); return
        }
        #expect(c == ContactInput(email: "ada@x.test", name: "Ada", locale: "tr", properties: ["Plan": .string("paid"), "MRR": .integer(120)]))
        guard case .failure(let e) = csv.contact(["13", "B", "nope", "", "", "", "", ""], line: 3) else { Issue.record("bad e-mail accepted"); return }
        #expect(e.issues.first?.field == "line 3.email")
        guard case .failure = csv.contact(["13", "B", "b@x.test", "", "", "xx-!!", "", ""], line: 4) else { Issue.record("bad locale accepted"); return }
        #expect(throws: ValidationError.self) { try PeopleCSV(header: ["Name", "Plan"]) }
    }

    /// One imported row's fields, each sent both ways.
    struct RowFields {
        var surveyID: Int64 = 3
        var email: String? = "ada@example.test"
        var externalID: String?
        var name: String?
        var comment: String?
        var locale: String?
        var plan: JSONValue?
    }

    @Test("an imported row gets the checks the same answer gets as JSON: the same submission, or the same problems under the same names")
    func importedRowsCheckedAsJSON() {
        let rows: [RowFields] = [
            RowFields(name: "Ada", comment: "Harika,\tçok iyi\r\n", locale: "tr", plan: .string("paid")),
            RowFields(email: "Ada@Example.TEST"), RowFields(email: "ÇAĞRI@örnek.com.tr"), RowFields(email: "not-an-address"),
            RowFields(email: String(repeating: "a", count: 250) + "@x.test"), RowFields(email: nil, externalID: "crm-1"),
            RowFields(externalID: "crm\u{1}"), RowFields(externalID: String(repeating: "i", count: 256)),
            RowFields(name: String(repeating: "ñ", count: 201)), RowFields(name: "Ada\u{7}"),
            RowFields(comment: String(repeating: "é", count: Limits.commentCharacters)),
            RowFields(comment: String(repeating: "é", count: Limits.commentCharacters + 1)), RowFields(comment: "bell\u{7}"),
            RowFields(comment: "\u{00A0}\u{2003}"), RowFields(locale: "english"), RowFields(locale: String(repeating: "a", count: 36)),
            RowFields(plan: .string(String(repeating: "p", count: Limits.propertyValueCharacters + 1))), RowFields(plan: .integer(7)),
            RowFields(surveyID: 0, email: "nope", comment: "x\u{0}", locale: "??"),
        ]
        for row in rows {
            let properties: Properties = row.plan.map { ["Plan": $0] } ?? [:]
            let hasContact = row.email != nil || row.externalID != nil
            let direct = ResponseSubmission.imported(surveyID: row.surveyID, score: Score(7)!,
                                                     contact: hasContact ? (row.externalID, row.email, row.name) : nil,
                                                     comment: row.comment, properties: properties, locale: row.locale, channel: .import, path: "line 2")
            var object: Properties = ["survey_id": .integer(row.surveyID), "score": .integer(7), "channel": .string("import")]
            var contact: Properties = [:]
            if let v = row.email { contact["email"] = .string(v) }
            if let v = row.externalID { contact["external_id"] = .string(v) }
            if let v = row.name, hasContact { contact["name"] = .string(v) }
            if let v = row.locale {
                object["locale"] = .string(v)
                if hasContact { contact["locale"] = .string(v) }
            }
            if hasContact { object["contact"] = .object(contact) }
            if let v = row.comment { object["comment"] = .string(v) }
            if !properties.isEmpty { object["properties"] = .object(properties) }
            switch (direct, ResponseSubmission.decode(.object(object), path: "line 2")) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(row)")
            case (.failure(let a), .failure(let b)): #expect(a.issues == b.issues, "\(row)")
            case (let a, let b): Issue.record("\(row): imported \(a), as JSON \(b)")
            }
        }
    }
}
