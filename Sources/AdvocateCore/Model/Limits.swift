/// Documented input limits. Each exists so that one bad client cannot exhaust memory or storage,
/// and each is reported to the client by name when exceeded.
public enum Limits {
    /// Longest comment, in Unicode characters (a detractor's long comment averages ~100 words).
    public static let commentCharacters = 5_000
    /// Most responses in one batch request.
    public static let batchResponses = 10_000
    /// Most properties on one contact or response.
    public static let properties = 100
    /// Longest property name, in characters.
    public static let propertyNameCharacters = 100
    /// Longest string property value, in characters.
    public static let propertyValueCharacters = 1_000
    /// Longest value still used as a report segment, in bytes.
    public static let segmentValueBytes = 200
    /// Longest external id.
    public static let externalIDCharacters = 255
    /// Longest name (survey, product, contact).
    public static let nameCharacters = 200
    /// Longest e-mail address (RFC 5321 path limit).
    public static let emailCharacters = 254
    /// Largest accepted request body for single-object endpoints, in bytes.
    public static let singleBodyBytes = 256 * 1024
    /// Largest accepted request body for batch endpoints, in bytes.
    public static let batchBodyBytes = 32 * 1024 * 1024
    /// Longest survey round, in days.
    public static let roundDays = 3_650
    /// Page size bounds for list endpoints.
    public static let pageSize = 1...1_000
}
