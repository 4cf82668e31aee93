import Foundation
import NPS
import Testing

@Suite("Score and Category")
struct ScoreTests {
    @Test("Score rejects values outside 0…10", arguments: [-1, 11, Int.min, Int.max])
    func rejectsOutOfRange(_ value: Int) {
        #expect(Score(value) == nil)
    }

    @Test("Score accepts every value 0…10 and keeps it", arguments: 0...10)
    func acceptsZeroThroughTen(_ value: Int) {
        #expect(Score(value)?.value == value)
    }

    @Test("Categories of all eleven scores follow 0–6 / 7–8 / 9–10", arguments: zip(
        0...10,
        [Category](repeating: .detractor, count: 7) + [.passive, .passive, .promoter, .promoter]))
    func categoryOfEachScore(_ value: Int, _ expected: Category) throws {
        let score = try #require(Score(value))
        #expect(score.category == expected)
        #expect(Category(score: score) == expected)
    }

    @Test("allCases lists 0…10 in order")
    func allCasesInOrder() {
        #expect(Score.allCases.map(\.value) == Array(0...10))
        #expect(Score.allCases == Score.allCases.sorted())
    }

    @Test("Score encodes as a bare integer and decoding rejects 11")
    func codableAsBareInteger() throws {
        let encoded = try JSONEncoder().encode([Score(7)])
        #expect(String(decoding: encoded, as: UTF8.self) == "[7]")
        #expect(try JSONDecoder().decode([Score].self, from: Data("[0,10]".utf8)) == [Score(0), Score(10)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Score].self, from: Data("[11]".utf8)) }
    }
}
