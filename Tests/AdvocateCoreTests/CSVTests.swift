import AdvocateCore
import NPS
import Testing

// MARK: - Helpers

/// Every record of `bytes`.
private func records(_ bytes: [UInt8]) throws(CSVReader.ParseError) -> [[String]] {
    var reader = CSVReader(bytes)
    var result: [[String]] = []
    while let record = try reader.next() { result.append(record) }
    return result
}

private func records(_ text: String) throws(CSVReader.ParseError) -> [[String]] { try records(Array(text.utf8)) }

/// The error reading `bytes` stops with; nil when the whole input reads.
private func parseError(_ bytes: [UInt8]) -> CSVReader.ParseError? {
    do {
        _ = try records(bytes)
        return nil
    } catch {
        return error
    }
}

private func parseError(_ text: String) -> CSVReader.ParseError? { parseError(Array(text.utf8)) }

private func header(_ columns: [String], surveyFromCommandLine: Bool = false) throws -> ResponseCSV.Header {
    try ResponseCSV.Header(columns, surveyFromCommandLine: surveyFromCommandLine)
}

/// The issues a header is rejected with; empty when it is accepted.
private func headerIssues(_ columns: [String], surveyFromCommandLine: Bool = false) -> [ValidationIssue] {
    do {
        _ = try ResponseCSV.Header(columns, surveyFromCommandLine: surveyFromCommandLine)
        return []
    } catch {
        return error.issues
    }
}

private func fields(_ result: Result<ResponseSubmission, ValidationError>) -> [String] {
    if case .failure(let e) = result { return e.issues.map(\.field) }
    return []
}

// MARK: - CSVReader

@Suite("CSVReader")
struct CSVReaderTests {
    @Test("plain records with LF line ends, with or without a final line end")
    func plain() throws {
        #expect(try records("a,b,c\n1,2,3\n") == [["a", "b", "c"], ["1", "2", "3"]])
        #expect(try records("a,b,c\n1,2,3") == [["a", "b", "c"], ["1", "2", "3"]])
    }

    @Test("CRLF line ends are accepted and not part of the last field")
    func crlf() throws {
        #expect(try records("a,b\r\n1,2\r\n") == [["a", "b"], ["1", "2"]])
        #expect(try records("a,b\r\n1,2") == [["a", "b"], ["1", "2"]])
    }

    @Test("empty input has no records")
    func emptyInput() throws {
        #expect(try records("") == [])
    }

    @Test("empty fields are kept")
    func emptyFields() throws {
        #expect(try records(",,\n") == [["", "", ""]])
        #expect(try records("a,,c\n,\"\",\n") == [["a", "", "c"], ["", "", ""]])
    }

    @Test("quoted fields may hold commas")
    func quotedComma() throws {
        #expect(try records("\"a,b\",c\n\"x, y, z\"\n") == [["a,b", "c"], ["x, y, z"]])
    }

    @Test("doubled quotes inside quoted fields are one quote")
    func doubledQuotes() throws {
        #expect(try records(#""say ""hi""",x"#) == [[#"say "hi""#, "x"]])
        #expect(try records("\"\"\"\"") == [["\""]])
    }

    @Test("quoted fields may hold LF and CRLF line breaks, kept as written")
    func embeddedNewlines() throws {
        let text = "\"line1\nline2\",\"crlf\r\nhere\"\r\nnext,row\r\n"
        #expect(try records(text) == [["line1\nline2", "crlf\r\nhere"], ["next", "row"]])
    }

    @Test("line numbers count the line breaks inside quoted fields")
    func lineNumbers() throws {
        var reader = CSVReader(Array("h1,h2\n\"a\nb\nc\",d\nlast,row\n".utf8))
        #expect(reader.line == 1)
        _ = try reader.next()
        #expect(reader.line == 2)
        #expect(try reader.next() == ["a\nb\nc", "d"])
        #expect(reader.line == 5)
        #expect(try reader.next() == ["last", "row"])
        #expect(try reader.next() == nil)
    }

    @Test("a UTF-8 byte order mark is not part of the first header")
    func stripsBOM() throws {
        #expect(try records([0xEF, 0xBB, 0xBF] + Array("score,survey_id\n9,1\n".utf8)) == [["score", "survey_id"], ["9", "1"]])
    }

    @Test("a byte order mark after the start is kept as text")
    func keepsLaterBOM() throws {
        #expect(try records(Array("a,".utf8) + [0xEF, 0xBB, 0xBF] + Array("b\n".utf8)) == [["a", "\u{FEFF}b"]])
    }

    @Test("non-ASCII UTF-8 text is read as is")
    func unicode() throws {
        #expect(try records("müşteri,çok iyi 👍\n") == [["müşteri", "çok iyi 👍"]])
    }

    @Test("invalid UTF-8 is an error naming the line of the record", arguments: [
        ([0xFF], 2), ([0xC3, 0x28], 2), ([0xE2, 0x82], 2), ([0xC0, 0xAF], 2),
    ] as [([UInt8], Int)])
    func invalidUTF8(bad: [UInt8], line: Int) {
        let bytes = Array("a,b\nok,".utf8) + bad + Array("x\nc,d\n".utf8)
        let error = parseError(bytes)
        #expect(error?.line == line)
        #expect(error?.reason.contains("UTF-8") == true)
    }

    @Test("invalid UTF-8 inside a multi-line quoted field names the line where the record starts")
    func invalidUTF8InQuotedField() {
        let bytes = Array("h\n\"one\ntwo ".utf8) + [0xFF] + Array("\"\n".utf8)
        #expect(parseError(bytes)?.line == 2)
    }

    @Test("a quote left open at the end of the input is an error at the line it opened")
    func unterminatedQuote() {
        let error = parseError("a,b\n\"open,field\nmore\n")
        #expect(error?.line == 2)
        #expect(error?.reason.contains("not closed") == true)
        #expect(parseError(#""abc""def"#)?.line == 1)
    }

    @Test("a quote inside an unquoted field is an error at its line", arguments: [
        ("ab\"c,d\n", 1), ("a,b\nc,d\"\n", 2), ("h\n\"x\ny\",1\nbad\"q\n", 4),
    ])
    func quoteInUnquotedField(text: String, line: Int) {
        let error = parseError(text)
        #expect(error?.line == line)
        #expect(error?.reason.contains("quote inside an unquoted field") == true)
    }

    @Test("text after a closing quote is an error")
    func textAfterClosingQuote() {
        #expect(parseError(#""a"b,c"#) != nil)
        #expect(parseError("\"a\" ,c") != nil)
    }

    @Test("the error description names the line")
    func errorDescription() {
        #expect(parseError("x\n\"open")?.description.hasPrefix("line 2: ") == true)
    }
}

// MARK: - CSVWriter

@Suite("CSVWriter")
struct CSVWriterTests {
    @Test("fields are quoted only when they must be")
    func quotesOnlyWhenNeeded() {
        #expect(CSVWriter.record(["a", "b c", "12", "çay", ""]) == "a,b c,12,çay,\r\n")
        #expect(CSVWriter.record(["it's", "tab\there"]) == "it's,tab\there\r\n")
    }

    @Test("commas, quotes and line breaks are quoted, inner quotes doubled", arguments: [
        ("a,b", #""a,b""#),
        (#"say "hi""#, #""say ""hi""""#),
        ("x\ny", "\"x\ny\""),
        ("x\r\ny", "\"x\r\ny\""),
        ("x\ry", "\"x\ry\""),
    ])
    func quotesSpecialFields(field: String, expected: String) {
        #expect(CSVWriter.record([field]) == expected + "\r\n")
    }

    @Test("formula-like cells get a leading apostrophe", arguments: [
        "=SUM(1)", "+1", "@x", "-x", "=1+2", "+", "-", "@", "-5x", "--5", "-1+1", "=HYPERLINK(\"http://x\",\"y\")",
    ])
    func prefixesFormulas(cell: String) throws {
        let written = CSVWriter.record([cell])
        #expect(try records(written) == [["'" + cell]])
    }

    @Test("plain negative numbers are written as they are", arguments: ["-5", "-120", "-0", "-12.5", "-0.25"])
    func keepsNegativeNumbers(cell: String) {
        #expect(CSVWriter.record([cell]) == cell + "\r\n")
    }

    @Test("a formula character later in the cell is harmless", arguments: ["a=b", "1+1", "x@y.z", "5-3"])
    func laterFormulaCharacters(cell: String) {
        #expect(CSVWriter.record([cell]) == cell + "\r\n")
    }

    @Test("what the writer writes, the reader reads back (after the apostrophe)")
    func writerReaderRoundTrip() throws {
        let rows = [["id", "comment", "note"],
                    ["1", "plain", ""],
                    ["2", "with, comma", "with \"quotes\""],
                    ["3", "multi\nline\r\ntext", "çay ☕️"]]
        let text = rows.map(CSVWriter.record).joined()
        #expect(try records(text) == rows)
    }
}

// MARK: - ResponseCSV

@Suite("ResponseCSV")
struct ResponseCSVTests {
    @Test("export's own header is importable, with property columns")
    func exportHeaderIsImportable() {
        #expect(headerIssues(ResponseCSV.fixedColumns + ["property.plan", "property.mrr"]) == [])
    }

    @Test("score and survey_id alone are a valid header, in any order")
    func minimalHeader() {
        #expect(headerIssues(["score", "survey_id"]) == [])
        #expect(headerIssues(["survey_id", "score"]) == [])
    }

    @Test("unknown columns are named by position", arguments: [
        (["score", "survey_id", "scroe"], "column 3"),
        (["score", "survey_id", "property."], "column 3"),
        (["Score", "score", "survey_id"], "column 1"),
        (["score", "survey_id", "props.plan"], "column 3"),
    ])
    func unknownColumn(columns: [String], field: String) {
        let issues = headerIssues(columns)
        #expect(issues.map(\.field) == [field])
        #expect(issues.first?.message.contains("unknown column") == true)
    }

    @Test("a duplicate column is named by the position of its second use")
    func duplicateColumn() {
        let issues = headerIssues(["score", "survey_id", "email", "score"])
        #expect(issues.map(\.field) == ["column 4"])
        #expect(issues.first?.message.contains("duplicate") == true)
    }

    @Test("a header without score is rejected")
    func missingScore() {
        let issues = headerIssues(["survey_id", "comment"])
        #expect(issues.map(\.field) == ["header"])
        #expect(issues.first?.message.contains("score") == true)
    }

    @Test("a header without survey_id is rejected unless the survey is given on the command line")
    func missingSurveyID() {
        #expect(headerIssues(["score", "comment"]).map(\.field) == ["header"])
        #expect(headerIssues(["score", "comment"], surveyFromCommandLine: true) == [])
    }

    @Test("all header problems are reported together")
    func allHeaderProblems() {
        #expect(headerIssues(["comment", "comment", "bogus"]).map(\.field) == ["column 2", "column 3", "header", "header"])
    }

    @Test("a row becomes a submission, validated like the API's")
    func rowToSubmission() throws {
        let h = try header(["survey_id", "external_id", "email", "name", "score", "comment", "channel", "locale",
                            "created_at", "property.mrr", "property.code", "property.beta", "property.ratio", "property.note"])
        let result = ResponseCSV.submission(
            ["7", "u-1", "Ada@Example.com", "Ada", "9", "Great, really", "email", "tr", "2026-11-22T08:30:00Z",
             "120", "007", "true", "0.5", "hello"],
            header: h, surveyID: nil, line: 2)
        let s = try result.get()
        #expect(s.surveyID == 7)
        #expect(s.contact == ContactInput(externalID: "u-1", email: "ada@example.com", name: "Ada"))
        #expect(s.score == Score(9))
        #expect(s.comment == "Great, really")
        #expect(s.channel == .email)
        #expect(s.locale == "tr")
        #expect(s.createdAt == Timestamp(milliseconds: 1_795_336_200_000))
        #expect(s.properties == ["mrr": .integer(120), "code": .string("007"), "beta": .bool(true),
                                 "ratio": .double(0.5), "note": .string("hello")])
    }

    @Test("property cells are typed only when in canonical form", arguments: [
        ("120", JSONValue.integer(120)),
        ("-3", .integer(-3)),
        ("0", .integer(0)),
        ("007", .string("007")),
        ("+3", .string("+3")),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("TRUE", .string("TRUE")),
        ("1.5", .double(1.5)),
        ("-0.25", .double(-0.25)),
        (".5", .string(".5")),
        ("5.", .string("5.")),
        ("1e3", .string("1e3")),
        ("nan", .string("nan")),
        ("12 ", .string("12 ")),
        ("99999999999999999999", .string("99999999999999999999")),
        ("Pro plan", .string("Pro plan")),
    ])
    func propertyTyping(cell: String, expected: JSONValue) throws {
        let h = try header(["score", "property.x"], surveyFromCommandLine: true)
        let s = try ResponseCSV.submission(["5", cell], header: h, surveyID: 1, line: 2).get()
        #expect(s.properties["x"] == expected)
    }

    @Test("empty cells mean 'not given'; channel defaults to import")
    func emptyCells() throws {
        let h = try header(["survey_id", "external_id", "email", "score", "comment", "channel", "locale", "created_at", "property.plan"])
        let s = try ResponseCSV.submission(["3", "u-1", "", "4", "", "", "", "", ""], header: h, surveyID: nil, line: 2).get()
        #expect(s == ResponseSubmission(surveyID: 3, contact: ContactInput(externalID: "u-1"), score: Score(4)!, channel: .import))
    }

    @Test("the survey may come from the command line")
    func surveyFromCommandLine() throws {
        let h = try header(["score"], surveyFromCommandLine: true)
        let s = try ResponseCSV.submission(["8"], header: h, surveyID: 3, line: 2).get()
        #expect(s.surveyID == 3)
        #expect(s.contact == nil)
    }

    @Test("export-only columns (id, category, updated_at) are ignored on import")
    func ignoresExportOnlyColumns() throws {
        let h = try header(["id", "survey_id", "score", "category", "updated_at"])
        let s = try ResponseCSV.submission(["999", "2", "6", "promoter", "not even a date"], header: h, surveyID: nil, line: 2).get()
        #expect(s == ResponseSubmission(surveyID: 2, contact: nil, score: Score(6)!, channel: .import))
    }

    @Test("a row with the wrong number of fields is rejected with its line", arguments: [["1"], ["1", "2", "3"]])
    func wrongFieldCount(row: [String]) throws {
        let h = try header(["survey_id", "score"])
        #expect(fields(ResponseCSV.submission(row, header: h, surveyID: nil, line: 5)) == ["line 5"])
    }

    @Test("invalid cells are reported as line N.field", arguments: [
        (["1", "11", ""], "line 4.score"),
        (["1", "abc", ""], "line 4.score"),
        (["1", "", ""], "line 4.score"),
        (["x", "5", ""], "line 4.survey_id"),
        (["0", "5", ""], "line 4.survey_id"),
        (["1", "5", "not-an-email"], "line 4.contact.email"),
    ])
    func invalidCells(row: [String], field: String) throws {
        let h = try header(["survey_id", "score", "email"])
        #expect(fields(ResponseCSV.submission(row, header: h, surveyID: nil, line: 4)) == [field])
    }

    @Test("a contact named but not identified is rejected")
    func contactWithoutIdentity() throws {
        let h = try header(["survey_id", "score", "name"])
        #expect(fields(ResponseCSV.submission(["1", "5", "Ada"], header: h, surveyID: nil, line: 3)) == ["line 3.contact"])
    }

    @Test("import removes the apostrophe export puts before formula-like text, and only that one", arguments: [
        ("'=SUM(1)", "=SUM(1)"),
        ("'+1", "+1"),
        ("'-x", "-x"),
        ("'@home", "@home"),
        ("'hello", "'hello"),
        ("'", "'"),
        ("''=x", "''=x"),
        ("don't", "don't"),
    ])
    func removesFormulaApostrophe(cell: String, expected: String) throws {
        let h = try header(["survey_id", "score", "comment"])
        let s = try ResponseCSV.submission(["1", "5", cell], header: h, surveyID: nil, line: 2).get()
        #expect(s.comment == expected)
    }

    @Test("export row columns follow fixedColumns, then the named properties")
    func exportRow() throws {
        let response = Response(id: 17, workspaceID: 1, surveyID: 3, contactID: 5, score: Score(7)!, comment: nil,
                                properties: ["plan": .string("pro"), "mrr": .integer(120), "beta": .bool(true)],
                                channel: .inApp, locale: nil, createdAt: Timestamp(milliseconds: 0),
                                updatedAt: Timestamp(milliseconds: 1_000), day: CalendarDay(daysSinceEpoch: 0))
        let row = ResponseCSV.row(response, contact: nil, propertyNames: ["beta", "missing", "mrr", "plan"])
        #expect(row == ["17", "3", "", "", "", "7", "passive", "", "in_app", "", "1970-01-01T00:00:00.000Z",
                        "1970-01-01T00:00:01.000Z", "true", "", "120", "pro"])
        #expect(row.count == ResponseCSV.fixedColumns.count + 4)
    }

    @Test("export row → CSV text → import gives back the submission")
    func roundTrip() throws {
        let contact = Contact(id: 5, workspaceID: 1, externalID: "crm-42", email: "ada@example.com", name: "Ada, \"Countess\"",
                              locale: "en", timeZone: "Europe/London", properties: [:],
                              createdAt: Timestamp(milliseconds: 0), updatedAt: Timestamp(milliseconds: 0))
        let properties: Properties = [
            "plan": .string("pro"), "mrr": .integer(120), "ratio": .double(0.5), "beta": .bool(true),
            "delta": .integer(-5), "trend": .double(-12.5), "formula": .string("=cmd|' /C calc'!A0"),
            "handle": .string("@ada"), "code": .string("007"), "note": .string("two\nlines, \"quoted\""),
        ]
        let response = Response(id: 17, workspaceID: 1, surveyID: 3, contactID: 5, score: Score(2)!,
                                comment: "-Too slow, \"really\"\r\nSecond line", properties: properties,
                                channel: .inApp, locale: "pt-BR",
                                createdAt: Timestamp(milliseconds: 1_795_336_200_123),
                                updatedAt: Timestamp(milliseconds: 1_795_340_000_000), day: CalendarDay(daysSinceEpoch: 20_779))
        let names = properties.keys.sorted()
        let text = CSVWriter.record(ResponseCSV.fixedColumns + names.map { ResponseCSV.propertyPrefix + $0 })
            + CSVWriter.record(ResponseCSV.row(response, contact: contact, propertyNames: names))

        let rows = try records(text)
        try #require(rows.count == 2)
        let h = try header(rows[0])
        let imported = try ResponseCSV.submission(rows[1], header: h, surveyID: nil, line: 2).get()
        #expect(imported == ResponseSubmission(
            surveyID: 3, contact: ContactInput(externalID: "crm-42", email: "ada@example.com", name: "Ada, \"Countess\""),
            score: Score(2)!, comment: "-Too slow, \"really\"\r\nSecond line", properties: properties,
            createdAt: Timestamp(milliseconds: 1_795_336_200_123), channel: .inApp, locale: "pt-BR"))
    }
}
