import AdvocateCore
import NPS
import Testing

@Suite("Webhook URLs, addresses and payloads")
struct WebhookTests {
    @Test("URLs: http(s) with a host; the host and port are read, IPv6 without brackets", arguments: [
        ("https://hooks.example.com/advocate?x=1", "hooks.example.com", 443, true),
        ("http://Hooks.Example.com:8080", "hooks.example.com", 8080, false),
        ("HTTPS://[2001:4860::8888]:8443/x", "2001:4860::8888", 8443, true),
    ])
    func parsed(_ text: String, _ host: String, _ port: Int, _ https: Bool) throws {
        let url = try WebhookURL.parse(text).get()
        #expect(url.host == host && url.port == port && url.https == https && url.text == text)
    }

    @Test("refused URLs say why", arguments: [
        ("ftp://example.com/x", "http:// or https://"), ("https://", "needs a host"), ("https://:443/x", "needs a host"),
        ("https://a:b@example.com/", "user name or password"), ("https://example.com/#x", "fragment"),
        ("https://example.com:0/", "invalid port"), ("https://example.com:http/", "invalid port"),
        ("https://[::1/", "unclosed"), ("https://[::1]x/", "after the IPv6"), ("https://exämple.com/", "ASCII"),
        ("https://example.com/\(String(repeating: "a", count: 2_000))", "at most 2000"),
    ])
    func refused(_ text: String, _ reason: String) {
        guard case .failure(let problem) = WebhookURL.parse(text) else { Issue.record("\(text) was accepted"); return }
        #expect(problem.description.contains(reason), "\(text): \(problem)")
    }

    @Test("only public unicast addresses are public", arguments: [
        ([8, 8, 8, 8], true), ([93, 184, 215, 14], true), ([100, 63, 255, 255], true), ([172, 32, 0, 1], true),
        ([0, 0, 0, 0], false), ([10, 0, 0, 1], false), ([127, 0, 0, 1], false), ([100, 64, 0, 1], false), ([169, 254, 169, 254], false),
        ([172, 16, 0, 1], false), ([172, 31, 255, 255], false), ([192, 168, 0, 1], false), ([192, 0, 2, 1], false),
        ([198, 18, 0, 1], false), ([224, 0, 0, 1], false), ([255, 255, 255, 255], false), ([1, 2, 3], false),
    ] as [([UInt8], Bool)])
    func ipv4(_ address: [UInt8], _ expected: Bool) {
        #expect(NetworkAddressPolicy.isPublic(address) == expected)
    }

    @Test("IPv6: loopback, unique local, link-local, multicast, documentation and mapped private IPv4 are not public")
    func ipv6() {
        func v6(_ head: [UInt8], tail: [UInt8] = []) -> [UInt8] { head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail }
        #expect(NetworkAddressPolicy.isPublic(v6([0x20, 0x01, 0x48, 0x60], tail: [0x88, 0x88])))
        #expect(!NetworkAddressPolicy.isPublic(v6([], tail: [1])))
        #expect(!NetworkAddressPolicy.isPublic(v6([])))
        #expect(!NetworkAddressPolicy.isPublic(v6([0xfd, 0x00], tail: [1])))
        #expect(!NetworkAddressPolicy.isPublic(v6([0xfe, 0x80], tail: [1])))
        #expect(!NetworkAddressPolicy.isPublic(v6([0xff, 0x02], tail: [1])))
        #expect(!NetworkAddressPolicy.isPublic(v6([0x20, 0x01, 0x0d, 0xb8], tail: [1])))
        #expect(!NetworkAddressPolicy.isPublic(v6([], tail: [0xff, 0xff, 127, 0, 0, 1])))
        #expect(NetworkAddressPolicy.isPublic(v6([], tail: [0xff, 0xff, 8, 8, 8, 8])))
        #expect(!NetworkAddressPolicy.isPublic(v6([0x00, 0x64, 0xff, 0x9b], tail: [10, 0, 0, 1])))
    }

    @Test("a payload is version 1 with the event's id, type and time, and the response as the API shows it")
    func payload() throws {
        let at = Timestamp(rfc3339: "2026-11-22T09:00:00Z")!
        let contact = Contact(id: 7, workspaceID: 1, externalID: "u-7", email: "ana@example.com", name: "Ana", locale: nil, timeZone: nil,
                              properties: ["plan": .string("pro")], createdAt: at, updatedAt: at)
        let response = Response(id: 42, workspaceID: 1, surveyID: 3, contactID: 7, score: Score(6)!, comment: "Çok yavaş",
                                properties: ["plan": .string("pro")], channel: .email, locale: "tr", createdAt: at, updatedAt: at,
                                day: CalendarDay(daysSinceEpoch: 20_414))
        let body = try JSONValue.parse(WebhookPayload.body(eventID: "evt_1", type: .responseCreated, at: at,
                                                           data: WebhookPayload.responseData(response, contact: contact)))
        #expect(body["id"] == .string("evt_1") && body["type"] == .string("response.created") && body["version"] == .integer(1))
        #expect(body["created_at"] == .string("2026-11-22T09:00:00.000Z"))
        #expect(body["data"]?["response"] == response.json(contact: contact))
        #expect(body["data"]?["response"]?["category"] == .string("detractor"))
        #expect(body["data"]?["response"]?["contact"] == .object(["id": .integer(7), "external_id": .string("u-7"),
                                                                  "email": .string("ana@example.com"), "name": .string("Ana")]))
        let unsubscribed = WebhookPayload.unsubscribedData(email: "x@example.com", contact: nil)
        #expect(unsubscribed == .object(["email": .string("x@example.com"), "contact": .null]))
    }
}

@Suite("Slack messages")
struct SlackMessageTests {
    static let at = Timestamp(rfc3339: "2026-11-22T09:00:00Z")!

    static func event(_ type: WebhookEventType, score: Int, comment: String?, contact: Contact?) -> JSONValue {
        let response = Response(id: 42, workspaceID: 1, surveyID: 3, contactID: contact?.id, score: Score(score)!, comment: comment,
                                properties: [:], channel: .email, locale: nil, createdAt: at, updatedAt: at, day: CalendarDay(daysSinceEpoch: 20_414))
        return try! JSONValue.parse(WebhookPayload.body(eventID: "evt_1", type: type, at: at,
                                                        data: WebhookPayload.responseData(response, contact: contact)))
    }

    @Test("a response: score and category in the text, the category's colour, the comment, the contact, the channel and the link", arguments: [
        (0, "#c92a2a", "detractor"), (8, "#f5c84c", "passive"), (10, "#2b7a3b", "promoter"),
    ])
    func response(_ score: Int, _ colour: String, _ category: String) throws {
        let contact = Contact(id: 7, workspaceID: 1, externalID: "u-7", email: "ana@example.com", name: "Ana", locale: nil, timeZone: nil,
                              properties: [:], createdAt: Self.at, updatedAt: Self.at)
        let message = try JSONValue.parse(SlackMessage.body(event: Self.event(.responseCreated, score: score, comment: "Slow exports", contact: contact),
                                                            publicURL: "https://nps.example.com"))
        #expect(message["text"] == .string("New answer: \(score)/10, \(category), from Ana (ana@example.com)"))
        guard case .array(let attachments)? = message["attachments"], let a = attachments.first else { Issue.record("\(message)"); return }
        #expect(a["color"] == .string(colour))
        #expect(a["text"] == .string("Slow exports"))
        #expect(a["title_link"] == .string("https://nps.example.com/app/responses/42"))
        #expect(a["fields"] == .array([
            .object(["title": .string("Score"), "value": .string("\(score) (\(category))"), "short": .bool(true)]),
            .object(["title": .string("Contact"), "value": .string("Ana (ana@example.com)"), "short": .bool(true)]),
            .object(["title": .string("Channel"), "value": .string("email"), "short": .bool(true)]),
        ]))
    }

    @Test("respondents' text cannot make links or mentions; no public URL, no link; anonymous, updated and unsubscribe messages")
    func escapingAndOthers() throws {
        let message = try JSONValue.parse(SlackMessage.body(event: Self.event(.responseUpdated, score: 3, comment: "<!channel> & <https://evil.example|click>", contact: nil),
                                                            publicURL: nil))
        #expect(message["text"] == .string("Changed answer: 3/10, detractor, from an anonymous respondent"))
        guard case .array(let attachments)? = message["attachments"], let a = attachments.first else { Issue.record("\(message)"); return }
        #expect(a["text"] == .string("&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"))
        #expect(a["title_link"] == nil)
        let unsubscribed = try JSONValue.parse(WebhookPayload.body(eventID: "evt_2", type: .contactUnsubscribed, at: Self.at,
                                                                   data: WebhookPayload.unsubscribedData(email: "x<y>@example.com", contact: nil)))
        #expect(try JSONValue.parse(SlackMessage.body(event: unsubscribed, publicURL: nil))
                == .object(["text": .string("x&lt;y&gt;@example.com unsubscribed from surveys")]))
    }
}
