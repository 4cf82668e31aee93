import Foundation

/// Delighted's people export: one person per row, found again by e-mail. `Email` is required;
/// `Name` and `Locale` are the contact's; Delighted's own activity columns (when it last surveyed
/// them) are left out; every other column is a property.
public struct PeopleCSV: Sendable {
    static let ignoredColumns: Set<String> = ["person id", "id", "created at", "created", "last sent at", "last responded at",
                                              "next survey scheduled at", "phone number", "unsubscribed", "bounced"]
    let email: Int
    let name: Int?
    let locale: Int?
    let properties: [String?]
    let columnCount: Int

    public init(header: [String], ignoring: Set<String> = []) throws(ValidationError) {
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        let keys = names.map { $0.lowercased() }
        guard let email = keys.firstIndex(where: { $0 == "email" || $0 == "person email" || $0 == "email address" }) else {
            throw ValidationError(field: "header", "needs an Email column")
        }
        let name = keys.firstIndex(where: { $0 == "name" || $0 == "person name" })
        let locale = keys.firstIndex(where: { $0 == "locale" || $0 == "language" })
        self.email = email
        self.name = name
        self.locale = locale
        let skip = Self.ignoredColumns.union(ignoring.map { $0.lowercased() })
        var issues: [ValidationIssue] = []
        properties = names.enumerated().map { i, n in
            guard i != email, i != name, i != locale, !n.isEmpty, !skip.contains(keys[i]) else { return nil }
            guard n.unicodeScalars.count <= Limits.propertyNameCharacters, !n.hasPrefix("@") else {
                issues.append(.init(field: "column \(i + 1)", message: "\"\(n.prefix(60))\" cannot be a property name; --ignore it"))
                return nil
            }
            return n
        }
        if !issues.isEmpty { throw ValidationError(issues) }
        columnCount = header.count
    }

    /// The contact a row describes.
    public func contact(_ cells: [String], line: Int) -> Result<ContactInput, ValidationError> {
        guard cells.count == columnCount else {
            return .failure(ValidationError(field: "line \(line)", "has \(cells.count) fields, the header has \(columnCount) (a truncated or broken line?)"))
        }
        let value = { (i: Int) in cells[i].trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let email = Identifiers.normalizedEmail(value(email)) else {
            return .failure(ValidationError(field: "line \(line).email", "is not an e-mail address: \"\(value(email))\""))
        }
        var input = ContactInput(email: email)
        if let name, !value(name).isEmpty { input.name = String(value(name).prefix(Limits.nameCharacters)) }
        if let locale, !value(locale).isEmpty {
            guard Identifiers.isValidLocale(value(locale)) else {
                return .failure(ValidationError(field: "line \(line).locale", "must be a language tag such as en, tr or zh-Hans, got \"\(value(locale))\""))
            }
            input.locale = value(locale)
        }
        var patch: Properties = [:]
        for (i, p) in propertyColumns where !value(i).isEmpty {
            let v = ResponseCSV.typed(ResponseCSV.unescapeFormula(value(i)))
            if case .string(let s) = v, s.unicodeScalars.count > Limits.propertyValueCharacters {
                return .failure(ValidationError(field: "line \(line).\(p)", "must be at most \(Limits.propertyValueCharacters) characters"))
            }
            patch[p] = v
        }
        if !patch.isEmpty { input.properties = patch }
        return .success(input)
    }

    private var propertyColumns: [(Int, String)] {
        properties.enumerated().compactMap { i, p in p.map { (i, $0) } }
    }
}
