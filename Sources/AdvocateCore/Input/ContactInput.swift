/// A contact as a client describes it: in `PUT /contacts/{external_id}` or inside a response.
public struct ContactInput: Sendable, Hashable {
    /// Identity in the client's systems.
    public var externalID: String?
    /// Lower-cased address.
    public var email: String?
    public var name: String?
    public var locale: String?
    public var timeZone: String?
    /// Merge patch for the contact's properties (null removes a key).
    public var properties: Properties?

    public init(externalID: String? = nil, email: String? = nil, name: String? = nil, locale: String? = nil,
                timeZone: String? = nil, properties: Properties? = nil) {
        self.externalID = externalID
        self.email = email
        self.name = name
        self.locale = locale
        self.timeZone = timeZone
        self.properties = properties
    }

    /// The contact of an event: external_id or email required, the other fields optional.
    public static func readForEvent(_ r: InputReader) -> ContactInput {
        read(r, externalIDField: true, identityRequired: true)
    }

    /// Reads the contact fields from `r`. `identityRequired` demands external_id or email.
    static func read(_ r: InputReader, externalIDField: Bool, identityRequired: Bool) -> ContactInput {
        var c = ContactInput()
        if externalIDField, let id = r.string("external_id", maxCharacters: Limits.externalIDCharacters) {
            if Identifiers.isValidExternalID(id) { c.externalID = id } else { r.fail("external_id", "must be 1 to \(Limits.externalIDCharacters) characters without control characters") }
        }
        if let email = r.string("email", maxCharacters: Limits.emailCharacters) {
            if let e = Identifiers.normalizedEmail(email) { c.email = e } else { r.fail("email", "must be an e-mail address, got \"\(email)\"") }
        }
        c.name = r.string("name", maxCharacters: Limits.nameCharacters)
        if let locale = r.string("locale", maxCharacters: 35) {
            if Identifiers.isValidLocale(locale) { c.locale = locale } else { r.fail("locale", "must be a language tag such as en, tr or zh-Hans") }
        }
        if let zone = r.string("time_zone", maxCharacters: 64) {
            if SurveyTimeZone(validated: zone) != nil { c.timeZone = zone } else { r.fail("time_zone", "must be an IANA time zone such as Asia/Almaty, got \"\(zone)\"") }
        }
        c.properties = r.properties("properties", allowNull: true)
        // Skip this only when external_id or email was given but rejected (that problem is already
        // reported). Checking mere presence let `{"external_id": null}` through with no identity.
        let identityRejected = r.issues.contains { $0.field == r.name("external_id") || $0.field == r.name("email") }
        if identityRequired, c.externalID == nil, c.email == nil, !identityRejected {
            r.fail("", "needs external_id or email to identify the contact")
        }
        return c
    }

    /// Reads the body of `PUT /contacts/{external_id}`.
    public static func decodeUpsert(_ json: JSONValue, externalID: String) throws(ValidationError) -> ContactInput {
        guard Identifiers.isValidExternalID(externalID) else {
            throw ValidationError(field: "external_id", "must be 1 to \(Limits.externalIDCharacters) characters without control characters")
        }
        let r = InputReader(json)
        var c = read(r, externalIDField: false, identityRequired: false)
        c.externalID = externalID
        try r.finish()
        return c
    }
}
