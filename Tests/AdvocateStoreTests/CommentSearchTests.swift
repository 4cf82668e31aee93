import AdvocateCore
@testable import AdvocateStore
import AdvocateTestSupport
import Foundation
import NPS
import SQLKit
import Testing

@Suite("Comment search through the trigram index")
struct CommentSearchTests {
    /// Comments in the seeds' languages, with case pairs, LIKE's and FTS5's special characters,
    /// and comments shorter than a trigram.
    static let comments: [String?] = [
        "Çok iyi, 很好", "İstanbul ofisi harika", "ısınma sorunu var", "İYİ değil", "客服太慢了", "服务很好，客服也很好",
        "لدينا مشكلة مع الفواتير", "الدعم ممتاز", "Қолдау қызметі керемет", "қолдау жақсы", "GREAT support", "great SUPPORT, fast",
        "100% sure", "50 percent", "a_b", "a-b", "quote \"inside\" here", "it's fine", "AND NEAR(x y) * ^start col:val",
        "back\\slash", "ab", "好", nil, "CAFÉ crème", "café", "Great support", "ᚠᚡᚢᚣ runes",
    ]

    /// What the search matched before the index: LIKE over every comment, in the same database.
    static func likeScan(_ store: AdvocateStore, workspaceID: Int64, _ text: String) async throws -> [Int64] {
        try await store.database.read { sql in
            try await sql.raw("""
                SELECT id FROM responses WHERE workspace_id = \(bind: workspaceID) AND status = 'counted'
                AND LOWER(comment) LIKE LOWER(\(bind: ResponseFilter.containing(text))) ESCAPE '\\' ORDER BY id
                """).all().map { try $0.decode(column: "id", as: Int64.self) }
        }
    }

    static func search(_ store: AdvocateStore, _ workspaceID: Int64, _ text: String, _ configure: (inout ResponseFilter) -> Void = { _ in }) async throws -> [Response] {
        var filter = ResponseFilter()
        filter.search = text
        configure(&filter)
        return try await store.allResponses(workspaceID, filter: filter)
    }

    /// SQLite's own check that the index holds exactly what the comments say.
    static func checkIndex(_ store: AdvocateStore) async throws {
        guard store.database.dialect == .sqlite else { return }
        try await store.database.write { sql in
            try await sql.raw("INSERT INTO response_comments_fts (response_comments_fts, rank) VALUES ('integrity-check', 1)").run()
        }
    }

    @Test("the successor of a text is the least string past every string that starts with it")
    func successor() {
        #expect(CommentSearch.successor("a") == "b")
        #expect(CommentSearch.successor("zq") == "zr")
        #expect(CommentSearch.successor("客服") == "客朎")
        #expect(CommentSearch.successor("\u{D7FF}") == "\u{E000}", "past the surrogates")
        #expect(CommentSearch.successor("a\u{10FFFF}") == nil)
        #expect(CommentSearch.successor("") == nil)
        // Byte order of UTF-8 is code point order: everything that starts with the text falls between.
        for text in ["a", "ç", "客", "\u{FFFF}", "😀"] {
            let beyond = CommentSearch.successor(text)!
            for tail in ["", "a", "\u{10FFFE}", "客服", "\u{FFFF}\u{FFFF}"] {
                #expect(Array((text + tail).utf8).lexicographicallyPrecedes(Array(beyond.utf8)), "\(text)\(tail)")
            }
            #expect(!Array(beyond.utf8).lexicographicallyPrecedes(Array(beyond.utf8)))
        }
    }

    @Test("a phrase for FTS5 is the text quoted, quotes doubled; under three characters there is none")
    func phrase() {
        #expect(CommentSearch.ftsPhrase("abc") == "\"abc\"")
        #expect(CommentSearch.ftsPhrase("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CommentSearch.ftsPhrase("a OR b*") == "\"a OR b*\"")
        #expect(CommentSearch.ftsPhrase("客服") == nil)
        #expect(CommentSearch.ftsPhrase("客服太") == "\"客服太\"")
        #expect(CommentSearch.ftsPhrase("ab") == nil)
        #expect(CommentSearch.ftsPhrase("a\0b") == nil, "the tokenizer skips NUL")
        // One grapheme, two scalars (e + combining acute): the tokenizer counts scalars.
        #expect(CommentSearch.ftsPhrase("e\u{301}x") == "\"e\u{301}x\"")
    }

    @Test("a text of one or two characters is looked up among the trigrams that contain it; a common one, or one whose case folding is not ASCII's, is read comment by comment")
    func shortTextPlans() async throws {
        try await withTestStore(.sqlite) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            for (i, comment) in ["客服太慢了", "ZQX here", "Çok iyi", "ok"].enumerated() {
                try await store.answer(ws.id, survey: survey.id, contact: "c\(i)", score: 5, comment: comment)
            }
            func found(_ text: String) async throws -> Set<String> {
                Set(try await Self.search(store, ws.id, text).compactMap(\.comment))
            }
            func plan(_ text: String?) async throws -> CommentSearch.Plan? {
                try await store.database.read { try await CommentSearch.plan(text, dialect: .sqlite, on: $0) }
            }
            #expect(try await plan("客服") == .trigrams("\"客服太\"", text: "客服", beyond: "客朎"))
            #expect(try await plan("ZQ") == .trigrams("\"zqx\"", text: "zq", beyond: "zr"), "ASCII letters fold as the index folds them")
            #expect(try await plan("qw") == .trigrams(nil, text: "qw", beyond: "qx"), "starts no trigram: only comments' endings are read")
            #expect(try await found("慢了") == ["客服太慢了"], "the last two characters")
            #expect(try await found("了") == ["客服太慢了"], "the last character")
            #expect(try await found("慢") == ["客服太慢了"], "the one before it")
            #expect(try await found("e") == ["ZQX here"], "e starts no trigram there")
            #expect(try await found("ok") == ["Çok iyi", "ok"],
                    "a comment of two characters has no trigram and is found all the same")
            #expect(try await plan("Ç") == .scan, "a letter with case outside ASCII")
            #expect(try await plan("ı") == .scan)
            #expect(try await plan("客服太") == .phrase("\"客服太\""))
            #expect(try await plan(nil) == nil)

            // A character inside hundreds of different trigrams is common: a page fills sooner by reading.
            let letters = Array("abcdefghijklmnopqrstuvwxyz")
            let many = CommentSearch.mostShortTextTrigrams + 1
            for (i, pair) in letters.flatMap({ a in letters.map { b in "\(a)\(b)" } }).prefix(many).enumerated() {
                try await store.answer(ws.id, survey: survey.id, contact: "w\(i)", score: 7, comment: "の\(pair)")
            }
            #expect(try await plan("の") == .scan)
            #expect(try await Self.search(store, ws.id, "の").count == many)
            if case .trigrams(let query?, _, _) = try await plan("のa") {
                #expect(query.components(separatedBy: " OR ").count == 26)
            } else {
                Issue.record("のa is inside 26 trigrams only")
            }
        }
    }

    @Test("on PostgreSQL a short text takes the characters' index when its statistics say few comments hold it, and reads newest first otherwise",
          arguments: TestBackend.available.filter { $0 == .postgres })
    func postgresShortTextPlans(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            let many = CommentSearch.mostPostgresShortTextMatches + 500
            var batch = (0..<many).map { i in
                ResponseSubmission(surveyID: survey.id, contact: ContactInput(externalID: "c\(i)"), score: Score(i % 11)!, comment: "xa \(i)")
            }
            batch += (0..<3).map { i in ResponseSubmission(surveyID: survey.id, contact: ContactInput(externalID: "r\(i)"), score: Score(3)!, comment: "客服太慢 \(i)") }
            _ = try await store.record(workspaceID: ws.id, batch, batch: true)
            func plan(_ text: String) async throws -> CommentSearch.Plan? {
                try await store.database.read { try await CommentSearch.plan(text, dialect: .postgres, on: $0) }
            }
            #expect(try await plan("客服") == .scan, "no statistics yet")
            try await store.database.write { try await $0.raw("ANALYZE responses").run() }
            #expect(try await plan("客服") == .characters)
            #expect(try await plan("X") == .scan, "in more comments than the limit")
            #expect(try await plan("xa") == .scan)
            #expect(try await plan("客服太") == .scan, "three characters: pg_trgm's")
            #expect(try await Self.search(store, ws.id, "客服").count == 3)
            let expected = try await Self.likeScan(store, workspaceID: ws.id, "a 1")
            #expect(try await Self.search(store, ws.id, "a 1").map(\.id).sorted() == expected)
        }
    }

    @Test("every query finds exactly what LIKE over every comment finds, in any script, with special characters as text",
          arguments: TestBackend.available)
    func sameAsLike(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            for (i, comment) in Self.comments.enumerated() {
                try await store.answer(ws.id, survey: survey.id, contact: "c\(i)", score: i % 11, comment: comment)
            }
            let queries = ["iyi", "İYİ", "iyi, 很", "很", "很好", "客服", "客服太", "太慢了", "İstanbul", "istanbul", "ISTANBUL",
                           "ısınma", "ISINMA", "Isınma", "مشكلة", "مش", "ممتاز", "Қолдау", "қолдау", "ҚОЛДАУ", "great", "GREAT SUPPORT",
                           "%", "100%", "0%", "_", "a_b", "\"", "\"inside\"", "'", "it's", "AND", "NEAR(x y)", "*", "^start", "col:val",
                           "\\", "back\\slash", "ab", "b", "好", "café", "CAFÉ", "Café", "zzqx", " ", "e, ", "\"\"\"", "ᚡᚢᚣ", "OR", "a OR b",
                           "ı", "İ", "Қо", "É", "é", "AB", "B", "zq", "了", "慢了", "太慢", "很好", "好，", "8", "e", "E", "t", "ne", "es"]
            for q in queries {
                let expected = try await Self.likeScan(store, workspaceID: ws.id, q)
                #expect(try await Self.search(store, ws.id, q).map(\.id) == expected, "\(q)")
                var filter = ResponseFilter()
                filter.search = q
                let numbered = try await store.responses(workspaceID: ws.id, filter: filter, order: .createdAscending, page: 1, perPage: 100)
                #expect(numbered.map(\.id) == expected, "numbered pages: \(q)")
            }
            func comments(_ q: String) async throws -> Set<String> { Set(try await Self.search(store, ws.id, q).compactMap(\.comment)) }
            #expect(try await comments("很") == ["Çok iyi, 很好", "服务很好，客服也很好"], "one Chinese character")
            #expect(try await comments("客服") == ["客服太慢了", "服务很好，客服也很好"], "two")
            #expect(try await comments("太慢了") == ["客服太慢了"], "three, from the index")
            #expect(try await comments("مشكلة") == ["لدينا مشكلة مع الفواتير"])
            #expect(try await comments("қолдау").contains("қолдау жақсы"))
            #expect(try await comments("GREAT SUPPORT") == ["GREAT support", "great SUPPORT, fast", "Great support"], "ASCII case is ignored")
            #expect(try await comments("100%") == ["100% sure"], "% is text")
            #expect(try await comments("a_b") == ["a_b"], "_ is text")
            #expect(try await comments("\"inside\"") == ["quote \"inside\" here"])
            #expect(try await comments("NEAR(x y) *") == ["AND NEAR(x y) * ^start col:val"], "FTS5 syntax is text")
            #expect(try await comments("a OR b").isEmpty)
            #expect(try await comments("ısınma") == ["ısınma sorunu var"])
            #expect(try await comments("ISINMA").isEmpty, "dotless ı is not i")
            #expect(try await comments("İstanbul") == ["İstanbul ofisi harika"])
            if backend == .sqlite {
                // SQLite's LOWER and LIKE fold ASCII letters only; the index's wider folding changes nothing.
                #expect(try await comments("İYİ") == ["İYİ değil"])
                #expect(try await comments("ҚОЛДАУ").isEmpty)
                #expect(try await comments("CAFÉ") == ["CAFÉ crème"])
            } else {
                #expect(try await comments("ҚОЛДАУ") == ["Қолдау қызметі керемет", "қолдау жақсы"], "PostgreSQL folds every script")
                #expect(try await comments("CAFÉ") == ["CAFÉ crème", "café"])
            }
            try await Self.checkIndex(store)
        }
    }

    @Test("with other filters and a cursor, the pages are those of the unindexed search", arguments: TestBackend.available)
    func filtersAndCursor(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let first = try await store.makeSurvey(ws.id), second = try await store.makeSurvey(ws.id)
            var rng = SeededGenerator(seed: 5)
            let words = ["yavaş destek", "slow support", "客服太慢", "مشكلة الدعم", "қолдау баяу", "fine"]
            for i in 0..<300 {
                let survey = Bool.random(using: &rng) ? first : second
                try await store.answer(ws.id, survey: survey.id, contact: "c\(i % 100)", score: Int.random(in: 0...10, using: &rng),
                                       comment: Int.random(in: 0..<5, using: &rng) == 0 ? nil : words.randomElement(using: &rng)! + " #\(i)")
            }
            var filter = ResponseFilter()
            filter.search = "support"
            filter.surveyID = first.id
            filter.category = .detractor
            var pages: [[Int64]] = []
            var cursor: Int64?
            repeat {
                let page = try await store.responses(workspaceID: ws.id, filter: filter, before: cursor, limit: 3)
                pages.append(page.items.map(\.id))
                cursor = page.nextCursor.flatMap(Cursor.decode)
            } while cursor != nil
            let expected = try await store.database.read { sql in
                try await sql.raw("""
                    SELECT id FROM responses WHERE workspace_id = \(bind: ws.id) AND survey_id = \(bind: first.id) AND score <= 6
                    AND comment LIKE '%support%' ORDER BY id DESC
                    """).all().map { try $0.decode(column: "id", as: Int64.self) }
            }
            #expect(expected.count > 3, "more than one page")
            #expect(pages.flatMap { $0 } == expected)
            #expect(pages.dropLast().allSatisfy { $0.count == 3 })
            let numbered = try await store.responses(workspaceID: ws.id, filter: filter, order: .createdAscending, page: 2, perPage: 2)
            #expect(numbered.map(\.id) == Array(expected.reversed().dropFirst(2).prefix(2)), "numbered pages too")
        }
    }

    @Test("another workspace's comments are never found", arguments: TestBackend.available)
    func isolation(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let a = try await store.makeWorkspace(), b = try await store.makeWorkspace("other")
            let sa = try await store.makeSurvey(a.id), sb = try await store.makeSurvey(b.id)
            try await store.answer(a.id, survey: sa.id, score: 3, comment: "fatura sorunu (A)")
            try await store.answer(b.id, survey: sb.id, score: 3, comment: "fatura sorunu (B)")
            try await store.answer(b.id, survey: sb.id, score: 3, comment: "only in B: 账单")
            #expect(try await Self.search(store, a.id, "fatura").map(\.comment) == ["fatura sorunu (A)"])
            #expect(try await Self.search(store, b.id, "fatura").map(\.comment) == ["fatura sorunu (B)"])
            #expect(try await Self.search(store, a.id, "only in B").isEmpty)
            #expect(try await Self.search(store, a.id, "账单").isEmpty)
        }
    }

    @Test("a changed comment is found by its new text only", arguments: TestBackend.available)
    func update(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            let r = try await store.answer(ws.id, survey: survey.id, score: 4, comment: "eski yorum, 旧评论")
            try await store.answer(ws.id, survey: survey.id, score: 8, comment: nil)
            _ = try await store.updateResponse(workspaceID: ws.id, id: r.id, score: nil, comment: .some("yeni yorum, 新评论"), properties: nil)
            #expect(try await Self.search(store, ws.id, "eski yorum").isEmpty)
            #expect(try await Self.search(store, ws.id, "旧评论").isEmpty)
            #expect(try await Self.search(store, ws.id, "yeni yorum").map(\.id) == [r.id])
            #expect(try await Self.search(store, ws.id, "新评论").map(\.id) == [r.id])
            _ = try await store.updateResponse(workspaceID: ws.id, id: r.id, score: nil, comment: .some(nil), properties: nil)
            #expect(try await Self.search(store, ws.id, "yeni yorum").isEmpty, "a removed comment")
            _ = try await store.updateResponse(workspaceID: ws.id, id: r.id, score: nil, comment: .some("üçüncü"), properties: nil)
            #expect(try await Self.search(store, ws.id, "üçüncü").map(\.id) == [r.id], "a comment added later")
            try await Self.checkIndex(store)
        }
    }

    @Test("an erased person's comment is gone from the index itself; retention's too", arguments: TestBackend.available)
    func erasureAndRetention(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            try await store.answer(ws.id, survey: survey.id, contact: "erase-me", score: 2, comment: "ᚠᚡᚢᚣ gizli şikâyet", at: "2026-11-20T10:00:00Z")
            try await store.answer(ws.id, survey: survey.id, contact: "keep", score: 9, comment: "harika ürün", at: "2026-11-20T11:00:00Z")
            try await store.answer(ws.id, survey: survey.id, contact: "old-1", score: 3, comment: "eski şikâyet bir", at: "2025-01-10T10:00:00Z")
            try await store.answer(ws.id, survey: survey.id, contact: "old-2", score: 3, comment: "eski şikâyet iki", at: "2025-01-11T10:00:00Z")
            #expect(try await Self.search(store, ws.id, "ᚡᚢᚣ").count == 1)
            #expect(try await store.erasePerson(workspaceID: ws.id, person: .externalID("erase-me")))
            #expect(try await Self.search(store, ws.id, "ᚡᚢᚣ").isEmpty)
            #expect(try await Self.search(store, ws.id, "gizli").isEmpty)
            #expect(try await Self.search(store, ws.id, "harika").count == 1)
            if backend == .sqlite {
                // Secure delete: the trigrams left the index's pages, not just its answers.
                let traces = try await store.database.read { sql in
                    try await sql.raw("""
                        SELECT (SELECT COUNT(*) FROM response_comments_fts_data WHERE instr(block, CAST('ᚠᚡᚢ' AS BLOB)) > 0)
                             + (SELECT COUNT(*) FROM response_comments_fts_idx WHERE instr(CAST(term AS BLOB), CAST('ᚠᚡᚢ' AS BLOB)) > 0) AS n
                        """).first()!.decode(column: "n", as: Int.self)
                }
                #expect(traces == 0)
            }

            try await store.setRetention(workspaceID: ws.id, RetentionPolicy(action: .anonymise, months: 6))
            try await store.applyRetention(workspaceID: ws.id)
            #expect(try await Self.search(store, ws.id, "şikâyet").isEmpty)
            #expect(try await Self.search(store, ws.id, "eski").isEmpty)
            try await Self.checkIndex(store)
            try await store.answer(ws.id, survey: survey.id, contact: "old-3", score: 3, comment: "eski şikâyet üç", at: "2025-01-12T10:00:00Z")
            #expect(try await Self.search(store, ws.id, "şikâyet").count == 1)
            try await store.setRetention(workspaceID: ws.id, RetentionPolicy(action: .delete, months: 6))
            try await store.applyRetention(workspaceID: ws.id)
            #expect(try await Self.search(store, ws.id, "şikâyet").isEmpty)
            #expect(try await Self.search(store, ws.id, "harika").count == 1)
            try await Self.checkIndex(store)
        }
    }

    @Test("the database can answer a search of three or more characters from the index", arguments: TestBackend.available)
    func indexIsUsed(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let plan: [String]
            switch backend {
            case .sqlite:
                func explain(_ text: String, _ searchPlan: CommentSearch.Plan) async throws -> [String] {
                    var q: SQLQueryString = "EXPLAIN QUERY PLAN SELECT * FROM responses WHERE workspace_id = \(bind: ws.id)"
                    q += CommentSearch.condition(text, plan: searchPlan)
                    q += " ORDER BY id DESC LIMIT 51"
                    let query = q
                    return try await store.database.read { sql in
                        try await sql.raw(query).all().map { try $0.decode(column: "detail", as: String.self) }
                    }
                }
                plan = try await explain("slow support", .phrase(CommentSearch.ftsPhrase("slow support")!))
                #expect(plan.contains { $0.contains("VIRTUAL TABLE INDEX") }, "\(plan)")
                let one = try await explain("客", .trigrams("\"客服太\" OR \"客人好\"", text: "客", beyond: "客\u{1}"))
                #expect(one.contains { $0.contains("VIRTUAL TABLE INDEX") }, "\(one)")
                #expect(one.contains { $0.contains(CommentSearch.lastTwoIndex) } && one.contains { $0.contains(CommentSearch.lastOneIndex) },
                        "comments' endings from their own indexes: \(one)")
                let two = try await explain("客服", .trigrams(nil, text: "客服", beyond: "客朎"))
                #expect(two.contains { $0.contains(CommentSearch.lastTwoIndex) }, "\(two)")
                let terms = try await store.database.read { sql in
                    try await sql.raw("EXPLAIN QUERY PLAN SELECT term, doc FROM \(unsafeRaw: CommentSearch.trigrams) WHERE term >= 'a' AND term < 'b'").all()
                        .map { try $0.decode(column: "detail", as: String.self) }
                }
                #expect(terms.contains { $0.contains("VIRTUAL TABLE INDEX") && !$0.contains("INDEX 0:") }, "the trigrams read by range: \(terms)")
            case .postgres:
                // Without rows the planner prefers reading the table; forbid that to see the index is usable.
                var q: SQLQueryString = "EXPLAIN SELECT * FROM responses WHERE TRUE"
                q += CommentSearch.condition("slow support", plan: .scan)
                let query = q
                plan = try await store.database.write { sql in
                    try await sql.raw("SET LOCAL enable_seqscan = off").run()
                    return try await sql.raw(query).all().map { try $0.decode(column: "QUERY PLAN", as: String.self) }
                }
                #expect(plan.contains { $0.contains(CommentSearch.postgresIndex) }, "\(plan)")
                var short: SQLQueryString = "EXPLAIN SELECT * FROM responses WHERE TRUE"
                short += CommentSearch.condition("客服", plan: .characters)
                let shortQuery = short
                let characters = try await store.database.write { sql in
                    try await sql.raw("SET LOCAL enable_seqscan = off").run()
                    return try await sql.raw(shortQuery).all().map { try $0.decode(column: "QUERY PLAN", as: String.self) }
                }
                #expect(characters.contains { $0.contains(CommentSearch.postgresCharactersIndex) }, "\(characters)")
            }
        }
    }
}
