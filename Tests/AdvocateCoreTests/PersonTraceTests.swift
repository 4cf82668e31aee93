import AdvocateCore
import Testing

@Suite("PersonTrace: which stored texts are about a person")
struct PersonTraceTests {
    let trace = PersonTrace(contactID: 7, email: "ana@customer.test", responseIDs: [70], invitationIDs: [700], deliveryIDs: [7000])

    @Test("a contact reference, an answer, an invitation, a delivery or the address anywhere")
    func about() {
        let body = JSONValue.object(["data": .object(["response": .object(["id": .integer(1), "contact": .object(["id": .integer(7), "name": .null])])])]).serialized()
        #expect(trace.isAbout(body))
        #expect(trace.isAbout(#"{"data":{"response":{"id":70,"contact":null}}}"#))
        #expect(trace.isAbout(#"{"invitation_id":700,"token":"x"}"#))
        #expect(trace.isAbout(#"{"delivery_id":7000}"#))
        #expect(trace.isAbout(#"{"response_id":70}"#))
        #expect(trace.isAbout(#"{"to":["Ana@Customer.test"],"text":"hi"}"#))
        // An alert's event rides in a job's payload as a string of JSON.
        #expect(trace.isAbout(JSONValue.object(["alert": .string(body)]).serialized()))
        #expect(trace.isAbout("not json, but mentions ana@customer.test"))
    }

    @Test("someone else's ids and addresses are not the person")
    func notAbout() {
        #expect(!trace.isAbout(#"{"data":{"response":{"id":71,"contact":{"id":77,"name":null,"email":"bob@customer.test"}}}}"#))
        #expect(!trace.isAbout(#"{"rule":{"id":7,"name":"Detractors"}}"#), "a rule with the same id is not the contact")
        #expect(!trace.isAbout(#"{"invitation_id":7001,"response_id":700}"#))
        #expect(!PersonTrace(contactID: 1, email: nil).isAbout("{}"))
    }

    @Test("needles narrow the SQL scan: each about-text contains one")
    func needles() {
        let needles = trace.needles
        for text in [#"{"contact":{"email":null,"external_id":null,"id":7,"name":null}}"#, #"{"invitation_id":700}"#, #"{"delivery_id":7000}"#,
                     #"{"response_id":70}"#, #"{"alert":"{\"contact\":{\"id\":7,\"name\":null}}"}"#] {
            #expect(needles.contains { text.contains($0) }, "\(text)")
        }
    }
}
