import Foundation
import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Hummingbird
import Testing

@Suite("openapi.json is the contract")
struct OpenAPIContractTests {
    /// `(METHOD, /path/{param})` for every operation the document describes.
    static func documentedOperations(_ document: JSONValue) -> Set<String> {
        guard case .object(let paths)? = document["paths"] else { return [] }
        var result: Set<String> = []
        for (path, item) in paths {
            guard case .object(let operations) = item else { continue }
            for method in operations.keys where ["get", "head", "options", "put", "post", "patch", "delete"].contains(method) {
                result.insert("\(method.uppercased()) \(path)")
            }
        }
        return result
    }

    @Test("the served document is OpenAPI 3.1 and describes exactly the router's routes")
    func routesMatchDocument() async throws {
        try await withAPI(.sqlite) { api in
            let r = try await api.send(.get, "/openapi.json", token: "")
            #expect(r.status == .ok)
            #expect(r.contentType == "application/json")
            let document = try JSONValue.parse(r.bytes)
            #expect(document["openapi"] == .string("3.1.0"))

            let router = buildRouter(store: api.store)
            // Hummingbird describes a capture as `{id}`, the OpenAPI spelling.
            let routed = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
            let documented = Self.documentedOperations(document)
            #expect(routed.subtracting(documented).isEmpty, "routes missing from openapi.json: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
        }
    }

    @Test("every operation has an id, a summary and a problem answer for its errors")
    func operationsAreComplete() async throws {
        try await withAPI(.sqlite) { api in
            let document = try JSONValue.parse(try await api.send(.get, "/openapi.json", token: "").bytes)
            guard case .object(let paths)? = document["paths"] else { Issue.record("no paths"); return }
            for (path, item) in paths {
                guard case .object(let operations) = item else { continue }
                for (method, operation) in operations where ["get", "head", "options", "put", "post", "patch", "delete"].contains(method) {
                    guard case .string? = operation["operationId"] else { Issue.record("\(method) \(path) has no operationId"); continue }
                    guard case .string? = operation["summary"] else { Issue.record("\(method) \(path) has no summary"); continue }
                    guard case .object(let responses)? = operation["responses"] else { Issue.record("\(method) \(path) has no responses"); continue }
                    #expect(responses.keys.contains { $0.hasPrefix("2") || $0 == "303" }, "\(method) \(path) documents no success")
                    if path.hasPrefix("/api/") {
                        #expect(responses["401"] != nil, "\(method) \(path) does not document 401")
                    }
                }
            }
        }
    }
}
