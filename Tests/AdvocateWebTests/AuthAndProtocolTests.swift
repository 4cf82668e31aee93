import Foundation
import AdvocateStore
import AdvocateCore
import AdvocateTestSupport
import AdvocateWeb
import Hummingbird
import Testing

@Suite("Authentication and HTTP protocol")
struct AuthAndProtocolTests {
    static let protectedRoutes: [(HTTPRequest.Method, String)] = [
        (.get, "/api/v1/surveys"), (.post, "/api/v1/surveys"), (.get, "/api/v1/surveys/1"), (.patch, "/api/v1/surveys/1"),
        (.delete, "/api/v1/surveys/1"), (.get, "/api/v1/surveys/1/report"), (.get, "/api/v1/contacts"),
        (.put, "/api/v1/contacts/x"), (.get, "/api/v1/contacts/x"), (.delete, "/api/v1/contacts/x"),
        (.post, "/api/v1/responses"), (.post, "/api/v1/responses/batch"), (.get, "/api/v1/responses"), (.get, "/api/v1/responses/1"),
    ]

    @Test("every API route is 401 without a valid token, with a WWW-Authenticate challenge", arguments: TestBackend.available)
    func unauthenticated(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            for (method, path) in Self.protectedRoutes {
                for token in ["", "adv_wrong", "adv_\(String(repeating: "x", count: 300))"] {
                    let r = try await api.send(method, path.replacingOccurrences(of: "/1", with: "/\(survey)"),
                                               json: #"{"survey_id": \#(survey), "score": 1}"#, token: token)
                    #expect(r.status == .unauthorized, "\(method) \(path) token \(token.prefix(8))")
                    #expect(r.isProblem)
                    #expect(r.headers[.wwwAuthenticate] == "Bearer realm=\"advocate\"")
                }
            }
            for header in ["Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearer", "\(api.token)"] {
                let r = try await api.send(.get, "/api/v1/surveys", token: "", headers: [.authorization: header])
                #expect(r.status == .unauthorized, "\(header)")
            }
            #expect(try await api.responseCount() == 0)
            #expect(try await api.send(.get, "/api/v1/surveys", token: "", headers: [.authorization: "bearer \(api.token)"]).status == .ok)
        }
    }

    @Test("token scopes: read only reads; write also changes; erasing a contact and deleting a survey take admin; a refusal is 403 problem+json and changes nothing",
          arguments: TestBackend.available)
    func scopes(backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            var tokens: [TokenScope: String] = [:]
            for scope in TokenScope.allCases {
                let secret = APITokenSecret.generate()
                _ = try await api.store.createToken(workspaceID: api.workspaceID, name: scope.rawValue, secretHash: APITokenSecret.hash(secret), scope: scope)
                tokens[scope] = secret
            }
            let survey = try await api.createSurvey()
            _ = try await api.send(.put, "/api/v1/contacts/cus_1", json: #"{"email": "ada@example.com"}"#)

            let read = tokens[.read]!
            #expect(try await api.send(.get, "/api/v1/surveys/\(survey)", token: read).status == .ok)
            #expect(try await api.send(.get, "/api/v1/responses", token: read).status == .ok)
            let refused = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 9}"#, token: read)
            #expect(refused.status == .forbidden)
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(refused.json["detail"] == .string("this API token has the read scope; POST /api/v1/responses needs write (create one with `advocate token create --scope write`)"))
            #expect(try await api.send(.patch, "/api/v1/surveys/\(survey)", json: #"{"name": "X"}"#, token: read).status == .forbidden)

            let write = tokens[.write]!
            #expect(try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 9}"#, token: write).status == .created)
            #expect(try await api.send(.put, "/api/v1/contacts/cus_2", json: #"{"name": "Grace"}"#, token: write).status == .created)
            #expect(try await api.send(.delete, "/api/v1/contacts/cus_1", token: write).status == .forbidden)
            #expect(try await api.send(.delete, "/api/v1/surveys/\(survey)", token: write).status == .forbidden)
            #expect(try await api.send(.get, "/api/v1/contacts/cus_1", token: write).status == .ok, "nothing was erased")
            #expect(try await api.send(.get, "/api/v1/surveys/\(survey)", token: write).status == .ok, "nothing was deleted")
            let responses = try await api.send(.get, "/api/v1/responses?survey_id=\(survey)", token: read)
            #expect(responses.json["data"].flatMap { if case .array(let a) = $0 { a.count } else { nil } } == 1, "the read token's POST wrote nothing")

            let admin = tokens[.admin]!
            #expect(try await api.send(.delete, "/api/v1/contacts/cus_1", token: admin).status == .noContent)
            #expect(try await api.send(.delete, "/api/v1/surveys/\(survey)", token: admin).status == .noContent)
        }
    }

    @Test("the stored form of scopes: old tokens (read,write) are write; the widest listed wins; nonsense is read")
    func storedScopes() {
        #expect(TokenScope(stored: "read,write") == .write)
        #expect(TokenScope(stored: "read, write, admin") == .admin)
        #expect(TokenScope(stored: "read") == .read)
        #expect(TokenScope(stored: "root") == .read)
        #expect(TokenScope.admin.stored == "read,write,admin")
        #expect(TokenScope.required(method: "HEAD", route: "/api/v1/surveys/{id}") == .read)
        #expect(TokenScope.required(method: "DELETE", route: "/api/v1/surveys/{id}") == .admin)
        #expect(TokenScope.required(method: "DELETE", route: "/v1/people/{id}") == .write)
    }

    @Test("a revoked token stops working once its cache entry expires", arguments: TestBackend.available)
    func revokedToken(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let secret = try await api.token(forWorkspace: "acme")
            #expect(try await api.send(.get, "/api/v1/surveys", token: secret).status == .ok)
            let tokens = try await api.store.tokens(workspaceID: api.workspaceID)
            let revoked = try #require(tokens.first { $0.id == tokens.map(\.id).max() })
            #expect(try await api.store.revokeToken(workspaceID: api.workspaceID, tokenID: revoked.id))
            api.clock.advance(milliseconds: 10_001)
            #expect(try await api.send(.get, "/api/v1/surveys", token: secret).status == .unauthorized)
            #expect(try await api.send(.get, "/api/v1/surveys").status == .ok)
        }
    }

    @Test("tokens are stored only as their SHA-256", arguments: TestBackend.available)
    func tokensHashed(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let byPlainSecret = try await api.store.tokenWorkspace(secretHash: api.token)
            #expect(byPlainSecret == nil)
            let byHash = try await api.store.tokenWorkspace(secretHash: APITokenSecret.hash(api.token))
            #expect(byHash?.workspaceID == api.workspaceID)
            #expect(APITokenSecret.hash(api.token).count == 64)
        }
    }

    @Test("/healthz answers 200 with no authentication and no body")
    func healthz() async throws {
        try await withAPI(.sqlite) { api in
            let r = try await api.send(.get, "/healthz", token: "")
            #expect(r.status == .ok)
            #expect(r.bytes.isEmpty)
        }
    }

    @Test("unknown paths are 404 and wrong methods 405 with Allow, as problem+json")
    func unknownRoutes() async throws {
        try await withAPI(.sqlite) { api in
            let missing = try await api.send(.get, "/api/v1/nothing-here")
            #expect(missing.status == .notFound)
            #expect(missing.isProblem)
            let root = try await api.send(.get, "/nope", token: "")
            #expect(root.status == .notFound)
            #expect(root.isProblem)
            let wrongMethod = try await api.send(.put, "/api/v1/responses", json: "{}")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "GET, POST")
            #expect(wrongMethod.isProblem)
            let withID = try await api.send(.post, "/api/v1/surveys/12", json: "{}")
            #expect(withID.status == .methodNotAllowed, "\(String(decoding: withID.bytes, as: UTF8.self))")
            #expect(withID.headers[.allow] == "DELETE, GET, PATCH")
        }
    }

    @Test("a problem names the request path and a readable detail")
    func problemShape() async throws {
        try await withAPI(.sqlite) { api in
            let r = try await api.send(.post, "/api/v1/surveys", json: #"{"name": 1}"#)
            #expect(r.json["type"] == .string("about:blank"))
            #expect(r.json["title"] == .string("Invalid input"))
            #expect(r.json["status"] == .integer(422))
            #expect(r.json["instance"] == .string("/api/v1/surveys"))
            #expect(r.detail.contains("name"))
            #expect(r.detail.contains("product_name"))
        }
    }

    @Test("JSON with a charset parameter is accepted; no Content-Type is read as JSON")
    func contentTypes() async throws {
        try await withAPI(.sqlite) { api in
            let withCharset = try await api.send(.post, "/api/v1/surveys", json: #"{"name": "A", "product_name": "B"}"#,
                                                 headers: [.contentType: "application/json; charset=utf-8"])
            #expect(withCharset.status == .created)
            let bare = try await api.send(.post, "/api/v1/surveys", body: Array(#"{"name": "A", "product_name": "B"}"#.utf8))
            #expect(bare.status == .created)
            let text = try await api.send(.post, "/api/v1/surveys", json: #"{"name": "A", "product_name": "B"}"#,
                                          headers: [.contentType: "text/plain"])
            #expect(text.status == .unsupportedMediaType)
            #expect(text.isProblem)
        }
    }
}
