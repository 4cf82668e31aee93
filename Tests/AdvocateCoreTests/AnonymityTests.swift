import AdvocateCore
import NPS
import Testing

@Suite("eNPS anonymity of distinctive terms")
struct AnonymityTermsTests {
    static func comments(_ texts: [(Int, String)]) -> CommentTerms {
        CommentTerms(texts.enumerated().map { CommentTerms.Comment(responseID: Int64($0.offset + 1), score: Score($0.element.0)!, text: $0.element.1) })
    }

    @Test("a term that one to four people of either side used is hidden; none at all below five commenters")
    func shownTerms() {
        let terms = Self.comments(Array(repeating: (2, "support is slow"), count: 6) + Array(repeating: (1, "night shift again"), count: 2)
                                  + Array(repeating: (10, "great team"), count: 6) + [(9, "great team but slow")])
        let all = terms.analysis.detractorTerms()
        #expect(all.contains { $0.term == "night" } && all.contains { $0.term == "slow" }, "the analysis itself finds both: \(all.map(\.term))")
        let shown = Anonymity.shownTerms(all, commenters: 15).map(\.term)
        #expect(!shown.contains("night") && !shown.contains("shift"), "two detractors' words point at them")
        #expect(!shown.contains("slow"), "six detractors and one promoter: the one promoter is hidden too")
        #expect(Anonymity.shownTerms(terms.analysis.promoterTerms(), commenters: 15).map(\.term).contains("great"))
        #expect(Anonymity.shownTerms(all, commenters: 4).isEmpty)
        let support = Anonymity.shownTerms(all, commenters: 15).first { $0.term == "support" }
        #expect(support?.detractorCount == 6 && support?.promoterCount == 0)
    }
}
