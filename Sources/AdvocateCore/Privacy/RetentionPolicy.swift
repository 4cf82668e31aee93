/// What a workspace keeps of old answers: responses older than `months` are deleted or
/// anonymised (their contact, comment, extra answers, tags, notes and cases removed; the score,
/// day, channel and segments kept, so the reports do not change). Off unless set.
public struct RetentionPolicy: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case delete, anonymise
    }

    public static let monthRange: ClosedRange<Int> = 1...240

    public var action: Action
    public var months: Int

    public init(action: Action, months: Int) {
        self.action = action
        self.months = months
    }

    /// The first day that is kept: answers of earlier days (in the survey's own calendar) go.
    /// Months are calendar months; the 31st of a shorter month is its last day.
    public func firstKeptDay(today: CalendarDay) -> CalendarDay {
        let (y, m, d) = today.components
        let index = y * 12 + (m - 1) - months
        let year = index >= 0 ? index / 12 : (index - 11) / 12
        let month = index - year * 12 + 1
        var day = d
        while day > 28, CalendarDay(year: year, month: month, day: day) == nil { day -= 1 }
        return CalendarDay(year: year, month: month, day: day)!
    }

    /// Reads `{"action": "delete"|"anonymise"|"off", "months": N}`; nil is off.
    public static func decode(_ json: JSONValue) throws(ValidationError) -> RetentionPolicy? {
        let r = InputReader(json)
        let action = r.string("action", required: true, maxCharacters: 16, nullable: false)
        let off = action == "off"
        if let action, !off, Action(rawValue: action) == nil {
            r.fail("action", "must be delete, anonymise or off, got \"\(action)\"")
        }
        var months: Int64?
        if off {
            _ = r.value("months") // ignored: off needs no age
        } else {
            months = r.integer("months", required: true, in: Int64(monthRange.lowerBound)...Int64(monthRange.upperBound))
        }
        try r.finish()
        guard !off, let action, let kind = Action(rawValue: action), let months else { return nil }
        return RetentionPolicy(action: kind, months: Int(months))
    }

    public var json: JSONValue {
        .object(["action": .string(action.rawValue), "months": .integer(Int64(months))])
    }

    public static let offJSON: JSONValue = .object(["action": .string("off"), "months": .null])
}
