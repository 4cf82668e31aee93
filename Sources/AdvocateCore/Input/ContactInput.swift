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
        func text(_ field: TextField) -> String? {
            guard let raw = r.string(field.rawValue, maxCharacters: field.maxCharacters) else { return nil }
            switch accepted(field, raw) {
            case .success(let value): return value
            case .failure(let problem): r.fail(field.rawValue, problem.message); return nil
            }
        }
        var c = ContactInput()
        if externalIDField { c.externalID = text(.externalID) }
        c.email = text(.email)
        c.name = text(.name)
        c.locale = text(.locale)
        c.timeZone = text(.timeZone)
        c.properties = r.properties("properties", allowNull: true)
        // Skip this only when external_id or email was given but rejected (that problem is already
        // reported). Checking mere presence let `{"external_id": null}` through with no identity.
        let identityRejected = r.issues.contains { $0.field == r.name("external_id") || $0.field == r.name("email") }
        if identityRequired, c.externalID == nil, c.email == nil, !identityRejected {
            r.fail("", "needs external_id or email to identify the contact")
        }
        return c
    }

    /// The contact of an imported row, from its cells' text (each present one non-empty): the
    /// checks `read` makes of the same fields in JSON, problems named `PATH.contact.FIELD`.
    /// The caller gives an external id or an e-mail.
    public static func imported(externalID: String?, email: String?, name: String?, locale: String?, path: String,
                                issues: inout [ValidationIssue]) -> ContactInput {
        func text(_ field: TextField, _ raw: String?) -> String? {
            guard let raw else { return nil }
            let problem: String
            if let p = InputReader.stringProblem(raw, maxCharacters: field.maxCharacters) { problem = p } else {
                switch accepted(field, raw) {
                case .success(let value): return value
                case .failure(let p): problem = p.message
                }
            }
            issues.append(ValidationIssue(field: "\(path).contact.\(field.rawValue)", message: problem))
            return nil
        }
        var c = ContactInput()
        c.externalID = text(.externalID, externalID)
        c.email = text(.email, email)
        c.name = text(.name, name)
        c.locale = text(.locale, locale)
        return c
    }

    /// A contact's text fields, as JSON names them.
    enum TextField: String {
        case externalID = "external_id", email, name, locale, timeZone = "time_zone"

        var maxCharacters: Int {
            switch self {
            case .externalID: Limits.externalIDCharacters
            case .email: Limits.emailCharacters
            case .name: Limits.nameCharacters
            case .locale: 35
            case .timeZone: 64
            }
        }
    }

    struct FieldProblem: Error {
        var message: String
    }

    /// A text field's own rule, once its length and characters passed: the value to keep (an
    /// e-mail lower-cased) or what is wrong.
    static func accepted(_ field: TextField, _ text: String) -> Result<String, FieldProblem> {
        switch field {
        case .externalID:
            Identifiers.isValidExternalID(text) ? .success(text)
                : .failure(FieldProblem(message: "must be 1 to \(Limits.externalIDCharacters) characters without control characters"))
        case .email:
            Identifiers.normalizedEmail(text).map { .success($0) } ?? .failure(FieldProblem(message: "must be an e-mail address, got \"\(text)\""))
        case .name:
            .success(text)
        case .locale:
            Identifiers.isValidLocale(text) ? .success(text) : .failure(FieldProblem(message: Self.localeProblem))
        case .timeZone:
            SurveyTimeZone(validated: text) != nil ? .success(text)
                : .failure(FieldProblem(message: "must be an IANA time zone such as Asia/Almaty, got \"\(text)\""))
        }
    }

    /// What is wrong with a locale that is not a language tag (a response's as a contact's).
    static let localeProblem = "must be a language tag such as en, tr or zh-Hans"

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
