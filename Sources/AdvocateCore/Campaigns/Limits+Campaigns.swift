/// Input limits of campaigns. They live beside `Limits` (same namespace, reported by name) but in
/// this file so the campaign feature lands without editing the shared list.
extension Limits {
    /// Most conditions in one contact filter (an audience or a sampling group): more than this
    /// is a segment that belongs in the customer's CRM, not in a survey campaign.
    public static let filterConditions = 50
    /// Most values in one `in` / `not_in` list (an allow-list of accounts, countries, plans).
    public static let filterValues = 1_000
    /// Most groups in a sampling plan.
    public static let samplingGroups = 20
    /// Longest spread of a campaign's first sends, in days (a relationship survey rolled out over a year).
    public static let campaignSpreadDays = 365
    /// Longest survey-fatigue window, in days (the same ten years as `roundDays`).
    public static let throttleDays = 3_650
}
