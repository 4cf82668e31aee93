// MARK: - Band

/// The commonly cited NPS bands.
///
/// These cut-offs are folklore. Secondary sources attribute them to Bain or Qualtrics, but no
/// Bain page supports them. Show them as a rough guide only, and benchmark against local
/// competitors in the same country and questionnaire language, because response styles differ
/// by tens of points across cultures.
public enum Band: String, Sendable, Codable, CaseIterable {
    /// Below 0: more detractors than promoters.
    case needsImprovement = "needs_improvement"
    /// 0 to under 20.
    case good
    /// 20 to under 50.
    case favorable
    /// 50 to under 80.
    case excellent
    /// 80 and above.
    case worldClass = "world_class"

    /// The band of an unrounded NPS in points. Each band includes its lower bound.
    ///
    /// Pass the exact NPS and not the displayed integer. A displayed 20 can come from 19.6,
    /// which is still `good`.
    public init(nps: Double) {
        switch nps {
        case ..<0: self = .needsImprovement
        case ..<20: self = .good
        case ..<50: self = .favorable
        case ..<80: self = .excellent
        default: self = .worldClass
        }
    }

    /// English label for reports. Localised templates should key on `rawValue` instead.
    public var label: String {
        switch self {
        case .needsImprovement: "Needs improvement"
        case .good: "Good"
        case .favorable: "Favorable"
        case .excellent: "Excellent"
        case .worldClass: "World class"
        }
    }
}
