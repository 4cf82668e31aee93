import AdvocateCore
import NPS
import Testing

@Suite("The demo dataset")
struct DemoDatasetTests {
    static let keywords: [String: [String: [String]]] = {
        var k: [String: [String: [String]]] = [:]
        for theme in StarterThemes.all {
            for rule in theme.rules { k[theme.name, default: [:]][rule.language ?? "en", default: []].append(rule.text) }
        }
        return k
    }()

    @Test("two runs with one seed a few seconds apart give the same data, every instant shifted by the same amount")
    func shiftedByTheClockOnly() {
        // Noon UTC on 2026-11-30, and 37.5 seconds later: the same day, so the day-valued properties agree too.
        let now = Timestamp(milliseconds: 1_796_040_000_000), later = Timestamp(milliseconds: 1_796_040_037_500)
        let a = DemoDataset(responses: 4_000, seed: 5, now: now, keywords: Self.keywords)
        let b = DemoDataset(responses: 4_000, seed: 5, now: later, keywords: Self.keywords)
        let shift = later.milliseconds - now.milliseconds
        func moved(_ t: Timestamp?) -> Timestamp? { t.map { Timestamp(milliseconds: $0.milliseconds + shift) } }
        #expect(a.answers.count == 4_000 && a.contacts.count == b.contacts.count)
        #expect(a.answers.map { var x = $0; x.createdAt = moved(x.createdAt)!; return x } == b.answers)
        #expect(a.invitations.map { var x = $0; x.createdAt = moved(x.createdAt)!; x.openedAt = moved(x.openedAt); x.clickedAt = moved(x.clickedAt); return x } == b.invitations)
        #expect(a.contacts.map { var x = $0; x.churnedAt = moved(x.churnedAt); return x } == b.contacts)
        // A different seed is a different dataset.
        #expect(DemoDataset(responses: 4_000, seed: 6, now: now, keywords: Self.keywords).answers != a.answers)
    }
}
