/// What identifies one person in text Advocate keeps outside their own rows (webhook bodies,
/// job payloads): their contact id, address, answers, invitations and webhook deliveries.
/// An erasure or an export must find every such text; this decides, without I/O, whether a
/// text is about the person.
public struct PersonTrace: Sendable, Hashable {
    public var contactID: Int64
    public var email: String?
    public var responseIDs: Set<Int64>
    public var invitationIDs: Set<Int64>
    public var deliveryIDs: Set<Int64>

    public init(contactID: Int64, email: String?, responseIDs: Set<Int64> = [], invitationIDs: Set<Int64> = [],
                deliveryIDs: Set<Int64> = []) {
        self.contactID = contactID
        self.email = email
        self.responseIDs = responseIDs
        self.invitationIDs = invitationIDs
        self.deliveryIDs = deliveryIDs
    }

    /// Substrings at least one of which any text about the person contains, for narrowing a
    /// scan in SQL before `isAbout` decides. Bodies are compact JSON with sorted keys, so a
    /// contact reference reads `"id":N,"name":` (escaped once more when a body rides inside a
    /// job's payload as a string).
    public var needles: [String] {
        var result = ["\"id\":\(contactID),\"name\":", "\\\"id\\\":\(contactID),\\\"name\\\":"]
        if let email, !email.isEmpty { result.append(email) }
        result += responseIDs.sorted().map { "\"response_id\":\($0)" }
        result += invitationIDs.sorted().map { "\"invitation_id\":\($0)" }
        result += deliveryIDs.sorted().map { "\"delivery_id\":\($0)" }
        return result
    }

    /// Whether a stored JSON text names the person: their contact, one of their answers,
    /// invitations or deliveries, or their address anywhere (a reply's recipients, an
    /// unsubscribe). JSON carried inside a string (an alert's event in a job) is read too.
    public func isAbout(_ text: String) -> Bool {
        guard let value = try? JSONValue.parse(text) else { return mentionsEmail(text) }
        return isAbout(value, depth: 0)
    }

    private func isAbout(_ value: JSONValue, depth: Int) -> Bool {
        guard depth < 16 else { return false }
        switch value {
        case .string(let s):
            if mentionsEmail(s) { return true }
            if s.hasPrefix("{"), let inner = try? JSONValue.parse(s) { return isAbout(inner, depth: depth + 1) }
            return false
        case .array(let items):
            return items.contains { isAbout($0, depth: depth + 1) }
        case .object(let members):
            for (key, member) in members {
                switch (key, member) {
                case ("contact", .object(let c)) where c["id"] == .integer(contactID): return true
                case ("response", .object(let r)):
                    if case .integer(let id) = r["id"], responseIDs.contains(id) { return true }
                case ("response_id", .integer(let id)) where responseIDs.contains(id): return true
                case ("invitation_id", .integer(let id)) where invitationIDs.contains(id): return true
                case ("delivery_id", .integer(let id)) where deliveryIDs.contains(id): return true
                default: break
                }
                if isAbout(member, depth: depth + 1) { return true }
            }
            return false
        default:
            return false
        }
    }

    private func mentionsEmail(_ s: String) -> Bool {
        guard let email, !email.isEmpty else { return false }
        return s.lowercased().contains(email.lowercased())
    }
}
