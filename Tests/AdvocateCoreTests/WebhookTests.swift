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
