/// How often a user gets a workspace's digest e-mail.
public enum DigestFrequency: String, Sendable, Hashable, CaseIterable {
    case off
    /// Every day at 08:00 in the user's time zone, about the day before.
    case daily
    /// Mondays at 08:00 in the user's time zone, about the week (Monday to Sunday) before.
    case weekly
}
