import Foundation
import NPS
import Testing

// MARK: - Loading

/// The NPS test vectors, a copy of the product's shared vectors/nps.json kept in the repository
/// (Fixtures/nps.json) so that a fresh clone tests against them; `VectorCopyTests` fails when
/// the copy and the shared file (beside the project, when present) differ.
enum Vectors {
    /// The path is taken from this file's path and symlinks are resolved, so it works from
    /// any checkout and from a scratch package that links this folder in.
    static let url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/nps.json")

    /// The shared original, beside the project's root.
    static let sharedURL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent()
        .appendingPathComponent("../../../shared/vectors/nps.json")
        .standardized

    /// Parsed once per process. A missing or malformed file fails every vector test with the
    /// decoding error instead of silently giving them no arguments.
    private static let loaded = Result { () throws -> VectorFile in
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(VectorFile.self, from: Data(contentsOf: url))
    }

    static func file() throws -> VectorFile { try loaded.get() }
}

// MARK: - Tolerances

/// Absolute tolerance for a value that the vectors print with `decimals` places. It allows
/// twice the worst rounding error and nothing more.
func tolerance(decimals: Int) -> Double {
    (0..<decimals).reduce(1.0) { value, _ in value / 10 }
}

/// Whether `actual` is within `tolerance` of `expected`. A nil `actual` never is.
func isClose(_ actual: Double?, _ expected: Double, _ tolerance: Double) -> Bool {
    guard let actual else { return false }
    return abs(actual - expected) <= tolerance
}

// MARK: - File model

struct VectorFile: Decodable, Sendable {
    let meta: Meta
    let singleSample: [SingleSampleVector]
    let twoSample: [TwoSampleVector]
    let sampleSize: [SampleSizeVector]

    struct Meta: Decodable, Sendable {
        let z95: Double
    }
}

struct Counts: Decodable, Sendable {
    let promoters: Int
    let passives: Int
    let detractors: Int

    var tally: Tally { Tally(promoters: promoters, passives: passives, detractors: detractors) }
}

struct SingleSampleVector: Decodable, Sendable, CustomTestStringConvertible {
    let id: String
    let promoters: Int
    let passives: Int
    let detractors: Int
    let n: Int
    let npsExact: Double
    let npsReportedInt: Int
    let perRespondentVariance: Double
    let wald: Bounds
    let adjustedWald: AdjustedBounds
    let score: ScoreBounds
    let zVsZeroWald: Double?

    struct Bounds: Decodable, Sendable {
        let sePoints: Double
        let low: Double
        let high: Double
    }

    struct AdjustedBounds: Decodable, Sendable {
        let nAdj: Double
        let npsAdj: Double
        let sePoints: Double
        let low: Double
        let high: Double
    }

    struct ScoreBounds: Decodable, Sendable {
        let low: Double
        let high: Double
    }

    var tally: Tally { Tally(promoters: promoters, passives: passives, detractors: detractors) }
    var testDescription: String { id }
}

struct TwoSampleVector: Decodable, Sendable, CustomTestStringConvertible {
    let id: String
    let a: Counts
    let b: Counts
    let npsA: Double
    let npsB: Double
    let wald: Test
    let adjustedWald: Test

    struct Test: Decodable, Sendable {
        let diffPoints: Double
        let sePoints: Double
        let z: Double
        let pTwoSided: Double
        let ci95Low: Double
        let ci95High: Double
    }

    /// Keys as they are after snake-case conversion. "A" and "B" contain no underscore and keep
    /// their case.
    enum CodingKeys: String, CodingKey {
        case id, npsA, npsB, wald, adjustedWald
        case a = "A"
        case b = "B"
    }

    var testDescription: String { id }
}

/// One record type for both kinds, because they share one array. The fields of the other
/// kind are nil.
struct SampleSizeVector: Decodable, Sendable, CustomTestStringConvertible {
    static let oneSampleKind = "one_sample_moe"
    static let twoSampleKind = "two_sample_per_group"

    let kind: String
    // one_sample_moe
    let pP: Double?
    let pD: Double?
    let moePoints: Double?
    let conf: Double?
    let variance: Double?
    let nAdjustedWald: Int?
    let nWald: Int?
    // two_sample_per_group
    let pP1: Double?
    let pD1: Double?
    let pP2: Double?
    let pD2: Double?
    let minDiffPoints: Double?
    let alphaTwoSided: Double?
    let power: Double?
    let nPerGroupAdjusted: Int?

    var testDescription: String {
        if kind == Self.oneSampleKind {
            return "±\(moePoints ?? .nan) at P \(pP ?? .nan), D \(pD ?? .nan)"
        }
        return "d \(minDiffPoints ?? .nan) at \(pP1 ?? .nan)/\(pD1 ?? .nan) vs \(pP2 ?? .nan)/\(pD2 ?? .nan)"
    }
}

@Suite("Vector copy")
struct VectorCopyTests {
    @Test("the repository's copy of the vectors is the shared file, byte for byte",
          .enabled(if: FileManager.default.fileExists(atPath: Vectors.sharedURL.path)))
    func copyIsCurrent() throws {
        #expect(try Data(contentsOf: Vectors.url) == Data(contentsOf: Vectors.sharedURL))
    }
}
