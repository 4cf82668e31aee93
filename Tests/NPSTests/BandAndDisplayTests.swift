import NPS
import Testing

@Suite("Band and Display")
struct BandAndDisplayTests {
    @Test("Band boundaries include their lower bound", arguments: [
        (-100.0, Band.needsImprovement), (-0.1, .needsImprovement), (0, .good), (19.99, .good),
        (20, .favorable), (49.99, .favorable), (50, .excellent), (79.99, .excellent), (80, .worldClass),
        (100, .worldClass),
    ])
    func bandBoundaries(_ nps: Double, _ expected: Band) {
        #expect(Band(nps: nps) == expected)
    }

    @Test("Band labels and raw values are the documented English and snake_case strings")
    func bandLabels() {
        #expect(Band.allCases.map(\.label) == ["Needs improvement", "Good", "Favorable", "Excellent", "World class"])
        #expect(Band.allCases.map(\.rawValue) == ["needs_improvement", "good", "favorable", "excellent", "world_class"])
    }

    @Test("roundedPoints rounds half away from zero", arguments: [
        (4.5, 5), (-4.5, -5), (4.4999, 4), (-4.4999, -4), (4.7619, 5), (0.0, 0), (100.0, 100), (-2.5, -3),
    ])
    func roundsHalfAwayFromZero(_ points: Double, _ expected: Int) {
        #expect(Display.roundedPoints(points) == expected)
    }

    @Test("A tally on an exact half point rounds away from zero")
    func exactHalfPointTally() throws {
        // 1 net promoter out of 40 answers is exactly 2.5 points.
        let nps = try #require(Tally(promoters: 11, passives: 19, detractors: 10).nps)
        #expect(nps == 2.5)
        #expect(Display.roundedPoints(nps) == 3)
    }

    @Test("IntervalMethod raw values are the vector keys")
    func intervalMethodRawValues() {
        #expect(IntervalMethod.allCases.map(\.rawValue) == ["adjusted_wald", "wald", "score"])
    }
}
