import NPS

/// An answer as a client submits it through the API or an import.
public struct ResponseSubmission: Sendable, Hashable {
    /// The survey answered (must belong to the caller's workspace; checked by the store).
    public var surveyID: Int64
    /// Who answered, or nil for an anonymous answer.
    public var contact: ContactInput?
    public var score: Score
    public var comment: String?
    /// The response's own properties (they win over the contact's in the snapshot).
    public var properties: Properties
    /// When the answer was given; now when nil.
    public var createdAt: Timestamp?
    public var channel: Channel
    public var locale: String?
    /// Where an imported answer came from ("delighted:123"). An answer with a source id is its
    /// own response (imports keep history as it was, rounds do not merge it) and is recorded
    /// once: a second answer with the same source id in the workspace changes nothing.
    public var sourceID: String?
    /// Labels it carries from the tool it was imported from.
    public var tags: [String] = []
    /// Notes written about it there, kept as the response's notes.
    public var notes: [String] = []

    public init(surveyID: Int64, contact: ContactInput?, score: Score, comment: String? = nil,
                properties: Properties = [:], createdAt: Timestamp? = nil, channel: Channel = .api, locale: String? = nil) {
        self.surveyID = surveyID
        self.contact = contact
        self.score = score
        self.comment = comment
        self.properties = properties
        self.createdAt = createdAt
        self.channel = channel
        self.locale = locale
    }

    /// Reads one response object; `path` prefixes field names (`responses[3]`).
    public static func decode(_ json: JSONValue, path: String = "") -> Result<ResponseSubmission, ValidationError> {
        let r = InputReader(json, path: path)
        let surveyID = r.integer("survey_id", required: true, in: 1...Int64.max)
        let score = r.integer("score", required: true, in: 0...10)
        let contact: ContactInput? = r.object("contact") { c in
            ContactInput.read(c, externalIDField: true, identityRequired: true)
        }
        var comment = r.string("comment", maxCharacters: Limits.commentCharacters)
        if let c = comment, c.allSatisfy(\.isWhitespace) { comment = nil }
        let properties = r.properties("properties", allowNull: false) ?? [:]
        let createdAt = r.timestamp("created_at")
        var channel = Channel.api
        if let raw = r.string("channel", maxCharacters: 20, nullable: false) {
            if let c = Channel(rawValue: raw) { channel = c } else {
                r.fail("channel", "must be one of \(Channel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var locale: String?
        if let l = r.string("locale", maxCharacters: 35) {
            if Identifiers.isValidLocale(l) { locale = l } else { r.fail("locale", ContactInput.localeProblem) }
        }
        r.rejectUnknownFields()
        guard r.issues.isEmpty, let surveyID, let score, let s = Score(Int(score)) else {
            return .failure(ValidationError(r.issues))
        }
        return .success(ResponseSubmission(surveyID: surveyID, contact: contact, score: s, comment: comment,
                                           properties: properties, createdAt: createdAt, channel: channel, locale: locale))
    }

    /// An imported answer from its cells' text (each present one non-empty), with every check
    /// `decode` makes of the same fields in JSON and problems named as it names them under `path`
    /// (`line 7.comment`). Building a JSON object per row only to read it back was a third of
    /// reading a large import.
    public static func imported(surveyID: Int64, score: Score, contact: (externalID: String?, email: String?, name: String?)?,
                                comment: String?, properties: Properties, locale: String?, channel: Channel,
                                path: String) -> Result<ResponseSubmission, ValidationError> {
        var issues: [ValidationIssue] = []
        func fail(_ field: String, _ message: String) { issues.append(ValidationIssue(field: "\(path).\(field)", message: message)) }
        if surveyID < 1 { fail("survey_id", "must be an integer from 1 to \(Int64.max), got \(surveyID)") }
        var person: ContactInput?
        if let contact {
            person = ContactInput.imported(externalID: contact.externalID, email: contact.email, name: contact.name, locale: locale,
                                           path: path, issues: &issues)
        }
        var kept = comment
        if let c = comment {
            if let problem = InputReader.stringProblem(c, maxCharacters: Limits.commentCharacters) {
                fail("comment", problem)
                kept = nil
            } else if c.allSatisfy(\.isWhitespace) {
                kept = nil
            }
        }
        for (name, problem) in InputReader.propertyProblems(properties, allowNull: false) {
            fail(name.map { "properties.\($0)" } ?? "properties", problem)
        }
        if let l = locale {
            if let problem = InputReader.stringProblem(l, maxCharacters: 35) { fail("locale", problem) }
            else if !Identifiers.isValidLocale(l) { fail("locale", ContactInput.localeProblem) }
        }
        guard issues.isEmpty else { return .failure(ValidationError(issues)) }
        return .success(ResponseSubmission(surveyID: surveyID, contact: person, score: score, comment: kept, properties: properties,
                                           channel: channel, locale: locale))
    }

    /// Reads `{"responses": [...]}`: every item is checked and every bad one reported by index.
    public static func decodeBatch(_ json: JSONValue) throws(ValidationError) -> [ResponseSubmission] {
        let r = InputReader(json)
        guard let list = r.value("responses") else {
            r.fail("responses", "is required")
            try r.finish()
            return []
        }
        guard case .array(let items) = list else {
            r.fail("responses", "must be an array, got \(list.typeName)")
            try r.finish()
            return []
        }
        if items.isEmpty { r.fail("responses", "must contain at least one response") }
        if items.count > Limits.batchResponses {
            r.fail("responses", "must contain at most \(Limits.batchResponses) responses, got \(items.count)")
        }
        try r.finish()
        var result: [ResponseSubmission] = []
        result.reserveCapacity(items.count)
        var issues: [ValidationIssue] = []
        for (i, item) in items.enumerated() {
            switch decode(item, path: "responses[\(i)]") {
            case .success(let s): result.append(s)
            case .failure(let e): issues.append(contentsOf: e.issues)
            }
        }
        if !issues.isEmpty { throw ValidationError(issues) }
        return result
    }
}
