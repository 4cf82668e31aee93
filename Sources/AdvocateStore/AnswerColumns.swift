import AdvocateCore
import NPS
import Synchronization

/// A survey's answers held in memory as columns (day, score, and one code per answer for each
/// dimension: channel, language, every scalar property), so a report filtered by several segments
/// counts the answers of its period by comparing small integers instead of reading and parsing
/// every row of the period from the database (at a million answers, 120,000 rows a quarter, about
/// a second). Pure: filled and asked by `AdvocateStore.filteredCounts`.
struct AnswerColumns: Sendable {
    private var slot: [Int64: Int] = [:]
    private var days: [Int32] = []
    /// The score, or `uncounted` for an answer that no longer counts.
    private var scores: [UInt8] = []
    /// Per stored dimension, one code per answer (0: the answer has no value for it); an answer
    /// added after the column's last entry has none.
    private var columns: [String: [UInt32]] = [:]
    /// Per stored dimension, the code of each value seen (codes from 1).
    private var codes: [String: [String: UInt32]] = [:]
    private var values: [String: [String]] = [:]

    private static let uncounted: UInt8 = 255

    /// Answers held, counted or not.
    var count: Int { days.count }

    /// Records an answer (replacing what was held for `id`): counted with `score`, or no longer
    /// counted when `score` is nil.
    mutating func set(id: Int64, day: Int, score: Score?, channel: Channel, locale: String?, properties: Properties) {
        let index: Int
        if let known = slot[id] {
            index = known
            for name in Array(columns.keys) { Self.put(0, at: index, in: &columns[name, default: []]) }
        } else {
            index = days.count
            slot[id] = index
            days.append(0)
            scores.append(Self.uncounted)
        }
        days[index] = Int32(clamping: day)
        scores[index] = score.map { UInt8($0.value) } ?? Self.uncounted
        guard score != nil else { return }
        for (dimension, value) in ReportDimension.pairs(channel: channel, locale: locale, properties: properties) where dimension != ReportDimension.overall {
            let code = codeFor(value, in: dimension)
            Self.put(code, at: index, in: &columns[dimension, default: []])
        }
    }

    /// Sets one entry of a column, growing it with "no value" up to `index`.
    private static func put(_ code: UInt32, at index: Int, in column: inout [UInt32]) {
        if column.count <= index {
            guard code != 0 else { return }
            column.append(contentsOf: repeatElement(0, count: index + 1 - column.count))
        }
        column[index] = code
    }

    private mutating func codeFor(_ value: String, in dimension: String) -> UInt32 {
        if let known = codes[dimension]?[value] { return known }
        values[dimension, default: []].append(value)
        let code = UInt32(values[dimension]!.count)
        codes[dimension, default: [:]][value] = code
        return code
    }

    /// Daily counts of the counted answers on days `from`…`to` (each end optional) that pass
    /// `conditions` (accepted values per stored dimension, AND across dimensions), overall and,
    /// with `by` (a stored dimension), per value of it.
    func counts(conditions: [String: Set<String>], from: Int?, to: Int?, by: String?)
        -> (overall: [Int: ScoreCounts], bySegment: [SegmentDay: ScoreCounts]) {
        // Each condition as a table of accepted codes: a value never seen accepts nothing.
        var tests: [(column: [UInt32], accepts: [Bool])] = []
        for (dimension, accepted) in conditions {
            let known = codes[dimension] ?? [:]
            var accepts = [Bool](repeating: false, count: (values[dimension]?.count ?? 0) + 1)
            for value in accepted { if let code = known[value] { accepts[Int(code)] = true } }
            tests.append((columns[dimension] ?? [], accepts))
        }
        let breakdown = by.map { columns[$0] ?? [] }
        let names = by.flatMap { values[$0] } ?? []
        let low = Int32(clamping: from ?? Int(Int32.min)), high = Int32(clamping: to ?? Int(Int32.max))
        var overall: [Int: [Int64]] = [:]
        var bySegment: [SegmentDay: [Int64]] = [:]
        answers: for i in days.indices {
            let score = scores[i]
            let day = days[i]
            guard score != Self.uncounted, day >= low, day <= high else { continue }
            for test in tests {
                let code = i < test.column.count ? Int(test.column[i]) : 0
                guard test.accepts[code] else { continue answers }
            }
            overall[Int(day), default: Array(repeating: 0, count: 11)][Int(score)] += 1
            if let breakdown, i < breakdown.count, breakdown[i] != 0 {
                bySegment[SegmentDay(segment: names[Int(breakdown[i]) - 1], day: Int(day)), default: Array(repeating: 0, count: 11)][Int(score)] += 1
            }
        }
        return (overall.mapValues { ScoreCounts($0) }, bySegment.mapValues { ScoreCounts($0) })
    }
}

/// A segment's value on a local day (days since the epoch).
struct SegmentDay: Hashable {
    var segment: String
    var day: Int
}

/// Each survey's `AnswerColumns` with the latest `updated_at` read into them, shared by the
/// requests of one store. Two requests bringing the same survey up to date at once both store a
/// correct result; the later one stays.
final class AnswerColumnsCache: Sendable {
    struct Entry: Sendable {
        var columns = AnswerColumns()
        /// The latest `updated_at` among the rows read (nil: nothing read yet).
        var seen: Int64?
    }

    private let entries = Mutex<[Int64: Entry]>([:])

    func entry(surveyID: Int64) -> Entry {
        entries.withLock { $0[surveyID] } ?? Entry()
    }

    func keep(_ entry: Entry, surveyID: Int64) {
        entries.withLock { $0[surveyID] = entry }
    }

    func forget(surveyID: Int64) {
        _ = entries.withLock { $0.removeValue(forKey: surveyID) }
    }
}
