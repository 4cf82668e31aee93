/// The fields a client may set on a survey; nil means "not given".
public struct SurveyInput: Sendable, Hashable {
    public var name: String?
    public var productName: String?
    public var kind: SurveyKind?
    public var defaultLocale: String?
    public var timeZone: SurveyTimeZone?
    public var roundDays: Int?
    /// The `settings` object as given (validated): fields in it replace the survey's current ones.
    public var settings: JSONValue?

    public init(name: String? = nil, productName: String? = nil, kind: SurveyKind? = nil,
                defaultLocale: String? = nil, timeZone: SurveyTimeZone? = nil, roundDays: Int? = nil) {
        self.name = name
        self.productName = productName
        self.kind = kind
        self.defaultLocale = defaultLocale
        self.timeZone = timeZone
        self.roundDays = roundDays
    }

    /// Reads a create (`requireAll`: name and product_name required) or a patch body.
    public static func decode(_ json: JSONValue, creating: Bool) throws(ValidationError) -> SurveyInput {
        let r = InputReader(json)
        var input = SurveyInput()
        input.name = r.string("name", required: creating, maxCharacters: Limits.nameCharacters, nullable: false, allowEmpty: false)
        input.productName = r.string("product_name", required: creating, maxCharacters: Limits.nameCharacters, nullable: false, allowEmpty: false)
        if let kind = r.string("kind", maxCharacters: 40, nullable: false) {
            if let k = SurveyKind(rawValue: kind) { input.kind = k } else {
                r.fail("kind", "must be one of \(SurveyKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let locale = r.string("default_locale", maxCharacters: 35, nullable: false) {
            if Identifiers.isValidLocale(locale) { input.defaultLocale = locale } else {
                r.fail("default_locale", "must be a language tag such as en, tr or zh-Hans")
            }
        }
        if let zone = r.string("time_zone", maxCharacters: 64, nullable: false) {
            if let z = SurveyTimeZone(validated: zone) { input.timeZone = z } else {
                r.fail("time_zone", "must be an IANA time zone such as Europe/Istanbul, got \"\(zone)\"")
            }
        }
        if let days = r.integer("round_days", in: 1...Int64(Limits.roundDays)) { input.roundDays = Int(days) }
        if let settings = r.value("settings") {
            do {
                _ = try SurveySettings.decode(settings, path: r.name("settings"), over: SurveySettings())
                input.settings = settings
            } catch {
                r.absorb(error.issues)
            }
        }
        if !creating, r.issues.isEmpty, input == SurveyInput() {
            r.fail("", "must change at least one field")
        }
        try r.finish()
        return input
    }
}
