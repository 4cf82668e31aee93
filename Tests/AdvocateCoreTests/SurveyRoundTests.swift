import AdvocateCore
import Testing

private let day: Int64 = 86_400_000
private let start = Timestamp(milliseconds: 1_795_336_200_000)  // 2026-11-22T08:30:00Z

@Suite("SurveyRound")
struct SurveyRoundTests {
    /// Offsets from the round's start, in milliseconds, and whether a 90-day round contains them.
    static let boundaryCases: [(Int64, Bool)] = {
        let round: Int64 = 90 * day
        return [(0, true), (1, true), (round - 1, true), (round, false), (round + 1, false),
                (-(round - 1), true), (-round, false), (4 * round, false)]
    }()

    @Test("an answer less than roundDays from the round's start belongs to it; exactly roundDays apart does not",
          arguments: boundaryCases)
    func boundaries(offset: Int64, inRound: Bool) {
        #expect(SurveyRound.contains(start.adding(milliseconds: offset), roundStart: start, roundDays: 90) == inRound)
    }

    @Test("the boundary moves with roundDays", arguments: [1, 7, Survey.defaultRoundDays, Limits.roundDays])
    func boundaryFollowsRoundDays(roundDays: Int) {
        let length = Int64(roundDays) * day
        #expect(SurveyRound.contains(start.adding(milliseconds: length - 1), roundStart: start, roundDays: roundDays))
        #expect(!SurveyRound.contains(start.adding(milliseconds: length), roundStart: start, roundDays: roundDays))
        #expect(!SurveyRound.contains(start.adding(days: roundDays), roundStart: start, roundDays: roundDays))
    }

    @Test("the round uses whole 24-hour days, not calendar days")
    func wholeDays() throws {
        // 89 days and 23:59:59.999 later is still in a 90-day round, even on a different date.
        let late = try #require(Timestamp(rfc3339: "2027-02-20T08:29:59.999Z"))
        let next = try #require(Timestamp(rfc3339: "2027-02-20T08:30:00Z"))
        #expect(SurveyRound.contains(late, roundStart: start, roundDays: 90))
        #expect(!SurveyRound.contains(next, roundStart: start, roundDays: 90))
    }

    @Test("the default round is 90 days")
    func defaultRound() {
        #expect(Survey.defaultRoundDays == 90)
    }
}
