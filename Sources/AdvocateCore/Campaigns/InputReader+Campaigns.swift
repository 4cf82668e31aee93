/// Accessors for the campaign fields of a request body, in the style of the other `InputReader`
/// accessors: nil when the field is absent or null (the caller applies its default) or invalid
/// (the problem is recorded with its full path, e.g. `audience[1].op`).
extension InputReader {
    /// A contact filter: a JSON array of conditions.
    public func contactFilter(_ key: String) -> ContactFilter? {
        guard let v = value(key) else { return nil }
        if case .null = v { return nil }
        var nested: [ValidationIssue] = []
        let filter = ContactFilter.read(v, path: name(key), issues: &nested)
        absorb(nested)
        return filter
    }

    /// A sampling plan: `[{"filter": [...], "rate": 0.1}, …]`.
    public func samplingPlan(_ key: String) -> SamplingPlan? {
        guard let v = value(key) else { return nil }
        if case .null = v { return nil }
        do {
            return try SamplingPlan.decode(v, path: name(key))
        } catch {
            absorb(error.issues)
            return nil
        }
    }

    /// A reminder plan: `{"count": 1, "after_days": 3}`.
    public func reminderPlan(_ key: String) -> ReminderPlan? {
        guard let v = value(key) else { return nil }
        if case .null = v { return nil }
        do {
            return try ReminderPlan.decode(v, path: name(key))
        } catch {
            absorb(error.issues)
            return nil
        }
    }

    /// A throttle in days, 0 (off) to `Limits.throttleDays`.
    public func throttle(_ key: String) -> Throttle? {
        let range = Int64(Throttle.allowedDays.lowerBound)...Int64(Throttle.allowedDays.upperBound)
        return integer(key, in: range).flatMap { Throttle(days: Int($0)) }
    }

    /// A local time of day as `HH:MM`.
    public func localTime(_ key: String) -> LocalTime? {
        guard let text = string(key, maxCharacters: 40) else { return nil }
        guard let time = LocalTime(text) else {
            fail(key, "must be a time of day as HH:MM, from 00:00 to 23:59, got \"\(text)\"")
            return nil
        }
        return time
    }
}
