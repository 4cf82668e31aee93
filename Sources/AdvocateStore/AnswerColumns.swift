import AdvocateCore
import NPS
import Synchronization

/// A survey's answers held in memory as columns (day, score, whether it has a comment, its
/// themes, and one code per answer for each dimension: channel, language, every scalar property),
/// so a report filtered by several segments, its key drivers and a breakdown by tenure or by a
/// property with many values count the answers of their period by comparing small integers
/// instead of reading and parsing every row of the period from the database (at a million
/// answers, 120,000 rows a quarter, about a second). Pure: filled and asked by
/// `AdvocateStore.answerColumns`.
struct AnswerColumns: Sendable {
    private var slot: [Int64: Int] = [:]
    private var ids: [Int64] = []
    private var days: [Int32] = []
    /// The score, or `uncounted` for an answer that no longer counts.
    private var scores: [UInt8] = []
    /// Whether the answer has a comment: a counted one is then a commenter for the key drivers.
    private var commented: [Bool] = []
    /// Per answer, the code of the set of themes applied to it (0: none).
    private var themeSets: [UInt32] = []
    /// Each set of theme ids seen (sorted), by code; few distinct sets, however many answers.
    private var sets: [[Int64]] = [[]]
    private var setCodes: [[Int64]: UInt32] = [[]: 0]
    /// Per stored dimension, one code per answer (0: the answer has no value for it); an answer
    /// added after the column's last entry has none.
    private var columns: [String: [UInt32]] = [:]
    /// Per stored dimension, the code of each value seen (codes from 1).
    private var codes: [String: [String: UInt32]] = [:]
    private var values: [String: [String]] = [:]
    /// The first and last day held, so a period without bounds counts into a flat array.
    private var firstDay = Int32.max, lastDay = Int32.min
    /// The answers of each day, so a period reads only its own days (a quarter of two years'
    /// answers, not all of them, for each of the several counts of a page).
    private var byDay: [Int32: [Int32]] = [:]
    /// Each day's counted answers by score, kept as answers are set: what the rollup is checked
    /// against before every use, without a pass over the answers.
    private var dayTotals: [Int32: [Int64]] = [:]

    private static let uncounted: UInt8 = 255

    /// Answers held, counted or not.
    var count: Int { days.count }

    /// Where an answer is held (what `matches` is indexed by).
    func index(of id: Int64) -> Int? { slot[id] }

    /// Whether each answer held passes `conditions`, on any day, by index.
    func matches(_ conditions: [String: Set<String>]) -> [Bool] {
        var passes = [Bool](repeating: false, count: days.count)
        if let span = span(from: nil, to: nil) { forEachMatch(conditions, in: span) { passes[$0] = true } }
        return passes
    }

    /// Whether each answer held passes `conditions`, indexed by id, when ids are dense enough for
    /// a flat table (database ids of one table: a contact's lookup per invitation is then an
    /// array read, not a hash of a quarter of a million entries); nil when they are not.
    func matchesByID(_ conditions: [String: Set<String>]) -> [Bool]? {
        guard let highest = ids.max(), let lowest = ids.min(), lowest >= 0, highest < Int64(4 * ids.count + 1_000_000) else { return nil }
        let passes = matches(conditions)
        var byID = [Bool](repeating: false, count: Int(highest) + 1)
        for (i, id) in ids.enumerated() where passes[i] { byID[Int(id)] = true }
        return byID
    }

    /// How many values of a stored dimension the answers held have had.
    func valueCount(_ dimension: String) -> Int { values[dimension]?.count ?? 0 }

    /// Records an answer (replacing what was held for `id`, its themes included): counted with
    /// `score`, or no longer counted when `score` is nil.
    mutating func set(id: Int64, day: Int, score: Score?, commented hasComment: Bool = false, channel: Channel, locale: String?,
                      properties: Properties) {
        let index: Int
        let day32 = Int32(clamping: day)
        if let known = slot[id] {
            index = known
            for name in Array(columns.keys) { Self.put(0, at: index, in: &columns[name, default: []]) }
            if scores[index] != Self.uncounted { dayTotals[days[index]]![Int(scores[index])] -= 1 }
            if days[index] != day32 {
                byDay[days[index]]?.removeAll { $0 == Int32(index) }
                byDay[day32, default: []].append(Int32(index))
            }
        } else {
            index = days.count
            slot[id] = index
            ids.append(id)
            days.append(day32)
            scores.append(Self.uncounted)
            commented.append(false)
            themeSets.append(0)
            byDay[day32, default: []].append(Int32(index))
        }
        days[index] = day32
        firstDay = min(firstDay, day32)
        lastDay = max(lastDay, day32)
        scores[index] = score.map { UInt8($0.value) } ?? Self.uncounted
        if let score { dayTotals[day32, default: Array(repeating: 0, count: 11)][score.value] += 1 }
        commented[index] = hasComment
        themeSets[index] = 0
        guard score != nil else { return }
        for (dimension, value) in ReportDimension.pairs(channel: channel, locale: locale, properties: properties) where dimension != ReportDimension.overall {
            let code = codeFor(value, in: dimension)
            Self.put(code, at: index, in: &columns[dimension, default: []])
        }
    }

    /// Records the themes applied to a held answer, replacing those held; an answer not held is
    /// left alone.
    mutating func setThemes(id: Int64, themes: some Sequence<Int64>) {
        guard let index = slot[id] else { return }
        let key = Set(themes).sorted()
        if let code = setCodes[key] {
            themeSets[index] = code
            return
        }
        let code = UInt32(sets.count)
        sets.append(key)
        setCodes[key] = code
        themeSets[index] = code
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

    // MARK: - Counting

    /// The days `from`…`to` narrowed to those held; nil when none is.
    private func span(from: Int?, to: Int?) -> ClosedRange<Int>? {
        let low = max(Int(firstDay), from ?? Int.min), high = min(Int(lastDay), to ?? Int.max)
        return low <= high ? low...high : nil
    }

    /// Calls `body` with the index of every counted answer on the days of `span` that passes
    /// `conditions` (accepted values per stored dimension, AND across dimensions).
    private func forEachMatch(_ conditions: [String: Set<String>], in span: ClosedRange<Int>, _ body: (Int) -> Void) {
        // Each condition as a table of accepted codes: a value never seen accepts nothing.
        var tests: [(column: [UInt32], accepts: [Bool])] = []
        for (dimension, accepted) in conditions {
            let known = codes[dimension] ?? [:]
            var accepts = [Bool](repeating: false, count: (values[dimension]?.count ?? 0) + 1)
            for value in accepted { if let code = known[value] { accepts[Int(code)] = true } }
            tests.append((columns[dimension] ?? [], accepts))
        }
        for day in span {
            guard let answersOfDay = byDay[Int32(clamping: day)] else { continue }
            answers: for index in answersOfDay {
                let i = Int(index)
                guard scores[i] != Self.uncounted else { continue }
                for test in tests {
                    let code = i < test.column.count ? Int(test.column[i]) : 0
                    guard test.accepts[code] else { continue answers }
                }
                body(i)
            }
        }
    }

    /// Daily counts of every counted answer on days `from`…`to` (each end optional), days
    /// without any left out: `counts` without conditions, from the totals kept.
    func dailyTotals(from: Int?, to: Int?) -> [Int: ScoreCounts] {
        var result: [Int: ScoreCounts] = [:]
        let low = from ?? Int.min, high = to ?? Int.max
        for (day, counts) in dayTotals where Int(day) >= low && Int(day) <= high && counts.contains(where: { $0 != 0 }) {
            result[Int(day)] = ScoreCounts(counts)
        }
        return result
    }

    /// Daily counts of the counted answers on days `from`…`to` (each end optional) that pass
    /// `conditions` (accepted values per stored dimension, AND across dimensions), and, with `by`
    /// (a stored dimension), each value's total over the period — or, with `tenure`, each tenure
    /// group's, `by` holding the sign-up dates (`TenureBucket`; a value that is not a date or
    /// after the answer goes to "unknown").
    func counts(conditions: [String: Set<String>], from: Int?, to: Int?, by: String?, tenure: Bool = false)
        -> (overall: [Int: ScoreCounts], bySegment: [String: ScoreCounts]) {
        guard let span = span(from: from, to: to) else { return ([:], [:]) }
        let low = span.lowerBound
        var perDay = [Int64](repeating: 0, count: span.count * 11)
        let breakdown = by.map { columns[$0] ?? [] } ?? []
        let names = by.flatMap { values[$0] } ?? []
        let signUps: [CalendarDay?] = tenure ? names.map(TenureBucket.signUpDay) : []
        let unknownGroup = TenureBucket.allCases.count
        var perGroup = [Int64](repeating: 0, count: ((tenure ? unknownGroup : names.count) + 1) * 11)
        forEachMatch(conditions, in: span) { i in
            let day = Int(days[i]), score = Int(scores[i])
            perDay[(day - low) * 11 + score] += 1
            guard i < breakdown.count, breakdown[i] != 0 else { return }
            let code = Int(breakdown[i])
            var group = code
            if tenure {
                group = signUps[code - 1].flatMap { TenureBucket(signedUp: $0, answered: CalendarDay(daysSinceEpoch: day)) }?.rawValue ?? unknownGroup
            }
            perGroup[group * 11 + score] += 1
        }
        var overall: [Int: ScoreCounts] = [:]
        for d in 0..<span.count where perDay[(d * 11)..<(d * 11 + 11)].contains(where: { $0 != 0 }) {
            overall[low + d] = ScoreCounts(Array(perDay[(d * 11)..<(d * 11 + 11)]))
        }
        var bySegment: [String: ScoreCounts] = [:]
        if by != nil {
            let labels = tenure ? TenureBucket.allCases.map(\.label) + [ReportBuilder.unknown] : [""] + names
            for group in (tenure ? 0 : 1)..<labels.count where perGroup[(group * 11)..<(group * 11 + 11)].contains(where: { $0 != 0 }) {
                bySegment[labels[group]] = ScoreCounts(Array(perGroup[(group * 11)..<(group * 11 + 11)]))
            }
        }
        return (overall, bySegment)
    }

    /// The key drivers' input for the newest `limit` commenters (counted answers with a comment,
    /// by id) on days `from`…`to` passing `conditions`: every such commenter's tally and, per
    /// theme, the tally of those whose comment has it.
    func commenters(conditions: [String: Set<String>], from: Int?, to: Int?, limit: Int) -> (all: Tally, mentioning: [Int64: Tally]) {
        guard let span = span(from: from, to: to) else { return (.empty, [:]) }
        var kept: [Int] = []
        forEachMatch(conditions, in: span) { i in if commented[i] { kept.append(i) } }
        if kept.count > limit {
            kept.sort { ids[$0] > ids[$1] }
            kept.removeLast(kept.count - limit)
        }
        var perSet = [Tally](repeating: .empty, count: sets.count)
        var all = Tally.empty
        for i in kept {
            let score = Score(Int(scores[i]))!
            all.add(score)
            perSet[Int(themeSets[i])].add(score)
        }
        return (all, Self.mentioning(perSet, sets))
    }

    /// Commenters per local day and theme (theme 0: every commenter) on days `from`…`to`, as
    /// `driver_rollups` counts them; days and themes without any are left out.
    func commenterTallies(from: Int?, to: Int?) -> [DayTheme: Tally] {
        guard let span = span(from: from, to: to) else { return [:] }
        // Per day and set of themes first: one dictionary step per commenter.
        var perDaySet: [DaySet: Tally] = [:]
        forEachMatch([:], in: span) { i in
            guard commented[i] else { return }
            perDaySet[DaySet(day: days[i], set: themeSets[i]), default: .empty].add(Score(Int(scores[i]))!)
        }
        var result: [DayTheme: Tally] = [:]
        for (key, tally) in perDaySet {
            result[DayTheme(day: Int(key.day), theme: 0), default: .empty].merge(tally)
            for theme in sets[Int(key.set)] { result[DayTheme(day: Int(key.day), theme: theme), default: .empty].merge(tally) }
        }
        return result
    }

    private static func mentioning(_ perSet: [Tally], _ sets: [[Int64]]) -> [Int64: Tally] {
        var mentioning: [Int64: Tally] = [:]
        for (code, tally) in perSet.enumerated() where tally.n > 0 {
            for theme in sets[code] { mentioning[theme, default: .empty].merge(tally) }
        }
        return mentioning
    }

    private struct DaySet: Hashable {
        var day: Int32
        var set: UInt32
    }
}

/// A theme on a local day (days since the epoch); theme 0 stands for every commenter.
struct DayTheme: Hashable {
    var day: Int
    var theme: Int64
}

/// Answers (or contacts) held as columns with the latest `updated_at` read into them.
struct HeldColumns: Sendable {
    var columns = AnswerColumns()
    /// The latest `updated_at` among the rows read (nil: nothing read yet).
    var seen: Int64?
    /// The id of the last row read at `seen` (rows are read in `updated_at`, `id` order).
    var lastID = Int64.min
    /// When the last read began, by the store's clock.
    var readAt: Int64 = 0

    /// Where the next read starts (exclusive). A transaction stamps its rows before it commits,
    /// so a row stamped in the minute before the last read began may have become visible only
    /// since: from then, when `seen` is that recent. Otherwise every row stamped up to `seen` was
    /// committed before that read and is held: on after the last row read. (A minute before
    /// `seen` every time re-read a whole chunk of a bulk load, whose rows share one stamp.)
    var cursor: (updatedAt: Int64, id: Int64) {
        guard let seen else { return (Int64.min, Int64.min) }
        return seen < readAt - 60_000 ? (seen, lastID) : (readAt - 60_000, Int64.min)
    }

    /// Notes a row read (in `updated_at`, `id` order).
    mutating func read(updatedAt: Int64, id: Int64) {
        if let seen, (seen, lastID) >= (updatedAt, id) { return }
        (seen, lastID) = (updatedAt, id)
    }
}

/// Each survey's answers (or workspace's contacts) as columns.
typealias AnswerColumnsCache = ColumnsCache<HeldColumns>

/// Columns held in the process per survey or workspace, shared by the requests of one store.
/// Two requests bringing the same entry up to date at once both store a correct result; the
/// later one stays.
final class ColumnsCache<Entry: Sendable>: Sendable {
    private let entries = Mutex<[Int64: Entry]>([:])

    func entry(_ key: Int64) -> Entry? {
        entries.withLock { $0[key] }
    }

    func keep(_ entry: Entry, for key: Int64) {
        entries.withLock { $0[key] = entry }
    }

    func forget(_ key: Int64) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
