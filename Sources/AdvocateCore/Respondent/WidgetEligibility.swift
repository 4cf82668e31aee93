/// How a workspace's in-app widget decides whom to ask.
public struct WidgetSettings: Sendable, Hashable {
    /// Whether the widget asks anyone at all.
    public var enabled: Bool = false
    /// The survey it asks.
    public var surveyID: Int64?
    /// Refuse identities without a valid signature (turn off only for testing).
    public var requireSignature: Bool = true
    /// First ask at least this many days after the user signed up.
    public var firstSurveyDays: Int = 30
    /// Ask again this many days after an answer.
    public var resurveyDays: Int = 90
    /// Ask again this many days after a dismissal.
    public var dismissDays: Int = 30
    /// Share of eligible users asked, 0–100.
    public var samplePercent: Int = 100
    /// Most users asked per day in the workspace; nil for no cap.
    public var dailyCap: Int?
    /// When not empty, ask only right after one of these events (`Advocate.track`).
    public var events: [String] = []

    public init() {}

    public static let allowedDays: ClosedRange<Int64> = 0...3_650
}

/// Why the widget does not ask a user now.
public enum WidgetHideReason: String, Error, Sendable, Hashable, CaseIterable {
    case disabled
    case tooNew = "too_new"
    case recentlyAnswered = "recently_answered"
    case recentlyDismissed = "recently_dismissed"
    case notSampled = "not_sampled"
    case dailyCapReached = "daily_cap_reached"
    case waitingForEvent = "waiting_for_event"
    case unsubscribed
}

/// What the server knows of one user when deciding.
public struct WidgetHistory: Sendable, Hashable {
    /// When the user signed up in the host product (`user.created_at`); unknown means "long ago".
    public var signedUpAt: Timestamp?
    /// Their latest answer to the widget's survey, on any channel.
    public var lastAnsweredAt: Timestamp?
    /// Their latest dismissal of the widget.
    public var lastDismissedAt: Timestamp?
    /// Whether they were already shown the widget today (the cap counts people, not page views).
    public var shownToday: Bool
    /// Other users shown the widget today in the workspace.
    public var othersShownToday: Int
    /// Whether their address is on the suppression list.
    public var suppressed: Bool

    public init(signedUpAt: Timestamp? = nil, lastAnsweredAt: Timestamp? = nil, lastDismissedAt: Timestamp? = nil,
                shownToday: Bool = false, othersShownToday: Int = 0, suppressed: Bool = false) {
        self.signedUpAt = signedUpAt
        self.lastAnsweredAt = lastAnsweredAt
        self.lastDismissedAt = lastDismissedAt
        self.shownToday = shownToday
        self.othersShownToday = othersShownToday
        self.suppressed = suppressed
    }
}

/// Decides, server-side, whether the widget asks a user now: the host page only reports who the
/// user is and what they just did, so nobody can make the widget over-ask by editing the page.
public enum WidgetEligibility {
    /// Show, or why not; checks in the order a team would explain them.
    public static func decide(_ settings: WidgetSettings, history: WidgetHistory, event: String?, contactID: Int64,
                              now: Timestamp) -> WidgetHideReason? {
        guard settings.enabled, settings.surveyID != nil else { return .disabled }
        if history.suppressed { return .unsubscribed }
        if !settings.events.isEmpty, !(event.map(settings.events.contains) ?? false) { return .waitingForEvent }
        if let signedUp = history.signedUpAt, now < signedUp.adding(days: settings.firstSurveyDays) { return .tooNew }
        if let answered = history.lastAnsweredAt, now < answered.adding(days: settings.resurveyDays) { return .recentlyAnswered }
        if let dismissed = history.lastDismissedAt, now < dismissed.adding(days: settings.dismissDays) { return .recentlyDismissed }
        if !isSampled(contactID: contactID, percent: settings.samplePercent, periodDays: settings.resurveyDays, now: now) {
            return .notSampled
        }
        if let cap = settings.dailyCap, !history.shownToday, history.othersShownToday >= cap { return .dailyCapReached }
        return nil
    }

    /// Whether a user falls in the sample. The draw is a pure function of the user and the
    /// current re-survey period, so reloading a page cannot re-roll it, and a user left out in
    /// one period gets a fresh draw in the next.
    public static func isSampled(contactID: Int64, percent: Int, periodDays: Int, now: Timestamp) -> Bool {
        if percent >= 100 { return true }
        if percent <= 0 { return false }
        let period = now.milliseconds / (Int64(max(periodDays, 1)) * Timestamp.millisecondsPerDay)
        var generator = SeededGenerator(seed: UInt64(bitPattern: contactID) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: period))
        return Int(generator.next() % 100) < percent
    }
}

// MARK: - JSON

extension WidgetSettings {
    public var json: JSONValue {
        .object([
            "enabled": .bool(enabled),
            "survey_id": surveyID.map(JSONValue.integer) ?? .null,
            "require_signature": .bool(requireSignature),
            "first_survey_days": .integer(Int64(firstSurveyDays)),
            "resurvey_days": .integer(Int64(resurveyDays)),
            "dismiss_days": .integer(Int64(dismissDays)),
            "sample_percent": .integer(Int64(samplePercent)),
            "daily_cap": dailyCap.map { .integer(Int64($0)) } ?? .null,
            "events": .array(events.map(JSONValue.string)),
        ])
    }

    /// Reads stored settings (validated when stored).
    public init(stored text: String) {
        self.init()
        if let json = try? JSONValue.parse(text), let decoded = try? Self.decode(json, over: WidgetSettings()) { self = decoded }
    }

    /// Reads a `PUT /api/v1/widget` body: fields given replace the current ones.
    public static func decode(_ json: JSONValue, over base: WidgetSettings) throws(ValidationError) -> WidgetSettings {
        let r = InputReader(json)
        var s = base
        if let v = r.value("enabled") {
            if case .bool(let b) = v { s.enabled = b } else { r.fail("enabled", "must be true or false") }
        }
        if r.has("survey_id") { s.surveyID = r.integer("survey_id", in: 1...Int64.max) }
        if let v = r.value("require_signature") {
            if case .bool(let b) = v { s.requireSignature = b } else { r.fail("require_signature", "must be true or false") }
        }
        if let v = r.integer("first_survey_days", in: allowedDays) { s.firstSurveyDays = Int(v) }
        if let v = r.integer("resurvey_days", in: allowedDays) { s.resurveyDays = Int(v) }
        if let v = r.integer("dismiss_days", in: allowedDays) { s.dismissDays = Int(v) }
        if let v = r.integer("sample_percent", in: 0...100) { s.samplePercent = Int(v) }
        if r.has("daily_cap") { s.dailyCap = r.integer("daily_cap", in: 0...10_000_000).map(Int.init) }
        if let v = r.value("events") {
            if case .array(let items) = v, items.count <= 50 {
                var names: [String] = []
                for (i, item) in items.enumerated() {
                    if case .string(let name) = item, isEventName(name) { names.append(name) } else {
                        r.fail("events[\(i)]", "must be an event name of 1 to 100 letters, digits, '.', '_', '-' or ':'")
                    }
                }
                s.events = names
            } else {
                r.fail("events", "must be an array of at most 50 event names")
            }
        }
        if s.enabled, s.surveyID == nil { r.fail("survey_id", "is required when the widget is enabled") }
        try r.finish()
        return s
    }

    /// Event names as `Advocate.track` sends them.
    public static func isEventName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.count <= 100 && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-:".unicodeScalars.contains($0)
        }
    }
}
