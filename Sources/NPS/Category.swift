// MARK: - Category

/// The three groups that NPS counts. NPS itself is the promoter share minus the detractor share.
public enum Category: String, Sendable, Hashable, Codable, CaseIterable {
    /// 0–6: counts against the NPS.
    case detractor
    /// 7–8: counts in n only. Passives dilute the NPS but never add to it or subtract from it.
    case passive
    /// 9–10: counts towards the NPS.
    case promoter

    /// Applies the canonical cut-offs (Bain/Reichheld). Many vendors use a 1–6 detractor range,
    /// which is not the same definition.
    public init(score: Score) {
        switch score.value {
        case 9...: self = .promoter
        case 7...8: self = .passive
        default: self = .detractor
        }
    }
}
