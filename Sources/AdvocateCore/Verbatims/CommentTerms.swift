import NPS

/// The distinctive terms of a set of scored comments (detractors against promoters; passives are
/// in neither group), and the comments each term comes from, for showing examples.
public struct CommentTerms: Sendable {
    /// A comment as the analysis reads it.
    public struct Comment: Sendable, Hashable {
        public var responseID: Int64
        public var score: Score
        public var text: String

        public init(responseID: Int64, score: Score, text: String) {
            self.responseID = responseID
            self.score = score
            self.text = text
        }
    }

    /// Detractors' comments, with the features of each.
    public let detractors: [(comment: Comment, features: Set<String>)]
    /// Promoters' comments, with the features of each.
    public let promoters: [(comment: Comment, features: Set<String>)]
    /// The comparison.
    public let analysis: DistinctiveTerms

    public init(_ comments: some Sequence<Comment>, prior: DistinctiveTerms.Prior = .default) {
        var detractors: [(Comment, Set<String>)] = []
        var promoters: [(Comment, Set<String>)] = []
        for comment in comments {
            switch comment.score.category {
            case .detractor: detractors.append((comment, Tokenizer.features(of: comment.text)))
            case .promoter: promoters.append((comment, Tokenizer.features(of: comment.text)))
            case .passive: break
            }
        }
        self.detractors = detractors
        self.promoters = promoters
        analysis = DistinctiveTerms(detractors: DistinctiveTerms.counts(detractors.map(\.1)),
                                    promoters: DistinctiveTerms.counts(promoters.map(\.1)), prior: prior)
    }

    /// Up to `limit` comments of the term's leaning group using it: detractors' for a term
    /// detractors use more (z > 0), promoters' otherwise.
    public func examples(of term: DistinctiveTerms.Term, limit: Int = 3) -> [Comment] {
        Array((term.z > 0 ? detractors : promoters).lazy.filter { $0.features.contains(term.term) }.prefix(limit).map(\.comment))
    }
}
