import NPS

/// The distinctive terms of a set of scored comments (detractors against promoters; passives are
/// in neither group), and the comments each term comes from, for showing examples.
///
/// Comments are read the fast way where they can be (`FastText`): each feature is numbered by its
/// bytes as it is met and counted once per comment, and a `String` is made once per distinct
/// term, not once per feature. The counts are those of `Tokenizer.features(of:)`.
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

    /// Detractors' comments.
    public let detractors: [Comment]
    /// Promoters' comments.
    public let promoters: [Comment]
    /// The comparison.
    public let analysis: DistinctiveTerms
    /// The numbers of the terms of each detractor's and each promoter's comment.
    private let detractorTerms: [[Int32]]
    private let promoterTerms: [[Int32]]
    /// Each term's number.
    private let numbers: [String: Int32]

    public init(_ comments: some Sequence<Comment>, prior: DistinctiveTerms.Prior = .default) {
        var detractors: [Comment] = []
        var promoters: [Comment] = []
        var terms: [[[Int32]]] = [[], []]  // detractors', promoters'
        var table = ByteTerms()
        var counts: [[Int]] = [[], []]
        var lastComment: [Int] = []  // the last comment that counted each term
        var plain: [(group: Int, index: Int, features: Set<String>)] = []
        var seen = 0
        for comment in comments {
            let group: Int
            switch comment.score.category {
            case .detractor: group = 0; detractors.append(comment)
            case .promoter: group = 1; promoters.append(comment)
            case .passive: continue
            }
            seen += 1
            guard let reading = FastText.read(comment.text) else {
                plain.append((group, terms[group].count, Tokenizer.features(of: comment.text)))
                terms[group].append([])
                continue
            }
            var mine: [Int32] = []
            reading.key.withUnsafeBufferPointer { key in
                for range in reading.features {
                    let bytes = UnsafeBufferPointer(rebasing: key[range])
                    let id = table.intern(bytes, hash: ByteTerms.hash(bytes))
                    if id == lastComment.count {
                        lastComment.append(-1)
                        counts[0].append(0)
                        counts[1].append(0)
                    }
                    guard lastComment[id] != seen else { continue }
                    lastComment[id] = seen
                    counts[group][id] += 1
                    mine.append(Int32(id))
                }
            }
            terms[group].append(mine)
        }

        // One String per term; features of comments read the plain way join them by String
        // equality (canonical equivalence), as they would in a Set<String>.
        var strings = (0..<table.count).map { id in table.bytes(id).withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) } }
        var numbers = Dictionary(uniqueKeysWithValues: strings.enumerated().map { ($1, Int32($0)) })
        for (group, index, features) in plain {
            var mine: [Int32] = []
            for feature in features {
                let id: Int32
                if let known = numbers[feature] {
                    id = known
                } else {
                    id = Int32(strings.count)
                    strings.append(feature)
                    numbers[feature] = id
                    counts[0].append(0)
                    counts[1].append(0)
                }
                counts[group][Int(id)] += 1
                mine.append(id)
            }
            terms[group][index] = mine
        }
        func byTerm(_ counts: [Int]) -> [String: Int] {
            var result: [String: Int] = [:]
            for (id, count) in counts.enumerated() where count > 0 { result[strings[id]] = count }
            return result
        }
        self.detractors = detractors
        self.promoters = promoters
        detractorTerms = terms[0]
        promoterTerms = terms[1]
        self.numbers = numbers
        analysis = DistinctiveTerms(detractors: byTerm(counts[0]), promoters: byTerm(counts[1]), prior: prior)
    }

    /// Up to `limit` comments of the term's leaning group using it: detractors' for a term
    /// detractors use more (z > 0), promoters' otherwise.
    public func examples(of term: DistinctiveTerms.Term, limit: Int = 3) -> [Comment] {
        guard let number = numbers[term.term] else { return [] }
        let (comments, terms) = term.z > 0 ? (detractors, detractorTerms) : (promoters, promoterTerms)
        return Array(comments.indices.lazy.filter { terms[$0].contains(number) }.prefix(limit).map { comments[$0] })
    }
}
