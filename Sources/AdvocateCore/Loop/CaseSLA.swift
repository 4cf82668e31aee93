/// How quickly cases are followed up: the figures on the dashboard's cases page.
public struct CaseSLA: Sendable, Hashable {
    /// Cases counted.
    public var cases: Int
    /// Cases reached (contacted at some point).
    public var contacted: Int
    /// Median time from the answer to the first contact, of contacted cases.
    public var medianMillisecondsToFirstContact: Int64?
    /// Of cases whose 48 hours are over (or that were contacted), the share contacted within 48
    /// hours of the answer; nil when there are none yet.
    public var shareContactedInTime: Double?
    /// Open cases past their due date.
    public var overdue: Int

    /// The window of the seeds' promise: every unhappy customer called back within 48 hours.
    public static let windowMilliseconds: Int64 = 48 * 3_600_000

    /// The figures for `cases` at `now`.
    public static func figures(_ cases: [FollowUpCase], now: Timestamp) -> CaseSLA {
        var delays: [Int64] = []
        var judged = 0
        var inTime = 0
        for c in cases {
            let delay = c.firstContactAt.map { $0.milliseconds - c.respondedAt.milliseconds }
            if let delay { delays.append(delay) }
            if delay != nil || now.milliseconds - c.respondedAt.milliseconds >= windowMilliseconds {
                judged += 1
                if let delay, delay <= windowMilliseconds { inTime += 1 }
            }
        }
        delays.sort()
        let median: Int64? = delays.isEmpty ? nil
            : delays.count % 2 == 1 ? delays[delays.count / 2] : (delays[delays.count / 2 - 1] + delays[delays.count / 2]) / 2
        return CaseSLA(cases: cases.count, contacted: delays.count, medianMillisecondsToFirstContact: median,
                       shareContactedInTime: judged == 0 ? nil : Double(inTime) / Double(judged),
                       overdue: cases.filter { $0.isOverdue(at: now) }.count)
    }

    /// The figures for the whole workspace and for each owner ("" for unassigned cases).
    public static func byOwner(_ cases: [FollowUpCase], now: Timestamp) -> (all: CaseSLA, owners: [(owner: String, sla: CaseSLA)]) {
        let grouped = Dictionary(grouping: cases) { $0.ownerEmail ?? "" }
        return (figures(cases, now: now), grouped.keys.sorted().map { ($0, figures(grouped[$0]!, now: now)) })
    }
}
