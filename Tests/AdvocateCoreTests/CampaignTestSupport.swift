import AdvocateCore
import Testing

// Shared by the Campaign*Tests suites.

/// A contact with only the fields a campaign looks at.
func campaignContact(_ id: Int64, email: String? = nil, locale: String? = nil, timeZone: String? = nil,
                     externalID: String? = nil, properties: Properties = [:]) -> Contact {
    Contact(id: id, workspaceID: 1, externalID: externalID, email: email, name: nil, locale: locale,
            timeZone: timeZone, properties: properties,
            createdAt: Timestamp(milliseconds: 0), updatedAt: Timestamp(milliseconds: 0))
}

/// Parses JSON text written in a test.
func campaignJSON(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

/// The problems a typed-throws decoder reported, as `field: message`; empty when it did not throw.
func campaignIssues<T>(_ body: () throws(ValidationError) -> T) -> [String] {
    do {
        _ = try body()
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

/// An instant written in RFC 3339.
func campaignInstant(_ text: String) throws -> Timestamp {
    try #require(Timestamp(rfc3339: text), "\(text) should parse")
}
