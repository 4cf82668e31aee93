import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Hummingbird
import Testing

@Suite("Audit log: admin actions recorded with the change, readable by admins and owners only")
struct AuditLogTests {
    /// The actions of a page of `/api/v1/audit-log`, newest first.
    private func actions(_ r: APIResult) -> [String] {
        guard case .array(let items)? = r.json["data"] else { return [] }
        return items.compactMap { if case .string(let a)? = $0["action"] { a } else { nil } }
    }

    @Test("API changes are logged with their token, what changed and never a secret; refused ones are not; paged and filtered",
          arguments: TestBackend.available)
    func apiChanges(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let rotated = try await api.send(.post, "/api/v1/widget/secret")
            guard case .string(let secret)? = rotated.json["secret"] else { throw HarnessError("no secret") }
            #expect(try await api.send(.post, "/api/v1/triggers", json: #"{"survey_id": \#(survey), "event": "signup"}"#).status == .created)
            #expect(try await api.send(.put, "/api/v1/contacts/ada", json: #"{"email": "ada@example.test", "name": "Ada"}"#).status.code < 300)
            #expect(try await api.send(.get, "/api/v1/contacts/ada/export").status == .ok)
            #expect(try await api.send(.delete, "/api/v1/contacts/ada").status == .noContent)
            #expect(try await api.send(.put, "/api/v1/retention", json: #"{"action": "anonymise", "months": 24}"#).status == .ok)
            #expect(try await api.send(.put, "/api/v1/retention", json: #"{"action": "anonymise", "months": 24}"#).status == .ok,
                    "the policy already in force: no change, so no second entry")
            #expect(try await api.send(.put, "/api/v1/retention", json: #"{"action": "off"}"#).status == .ok)
            #expect(try await api.send(.delete, "/api/v1/surveys/\(survey)").status == .noContent)
            // Refused: nothing happened, so nothing is logged.
            #expect(try await api.send(.delete, "/api/v1/surveys/\(survey)").status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/triggers/9999").status == .notFound)
            #expect(try await api.send(.get, "/api/v1/contacts/nobody/export").status == .notFound)
            #expect(try await api.send(.put, "/api/v1/retention", json: #"{"action": "delete", "months": 0}"#).status == .unprocessableContent)
            #expect(try await api.send(.put, "/api/v1/retention", json: #"{"action": "off"}"#).status == .ok, "already off: no change")

            let log = try await api.send(.get, "/api/v1/audit-log")
            #expect(log.status == .ok)
            #expect(actions(log) == ["survey.deleted", "retention.disabled", "retention.updated", "contact.erased", "contact.exported",
                                     "trigger.created", "widget.secret_rotated"])
            let text = String(decoding: log.bytes, as: UTF8.self)
            #expect(!text.contains(secret), "the rotated secret never reaches the log")
            #expect(!text.contains("ada@example.test"), "an export or an erasure leaves no personal data in the log")
            guard case .array(let entries)? = log.json["data"] else { throw HarnessError("no data") }
            let retention = entries.first { $0["action"] == .string("retention.updated") }
            #expect(retention?["changes"] == .object(["action": .string("anonymise"), "months": .integer(24)]))
            #expect(entries[0]["target_id"] == .string(String(survey)) && entries[0]["changes"]?["name"] == .string("Relationship"))
            guard case .string(let actor)? = entries[0]["actor"] else { throw HarnessError("no actor") }
            #expect(actor.hasPrefix("token:") && entries.allSatisfy { $0["actor"] == .string(actor) })

            let first = try await api.send(.get, "/api/v1/audit-log?limit=4")
            #expect(actions(first).count == 4)
            guard case .string(let cursor)? = first.json["next_cursor"] else { throw HarnessError("no cursor") }
            let second = try await api.send(.get, "/api/v1/audit-log?limit=4&cursor=\(cursor)")
            #expect(actions(second) == ["contact.exported", "trigger.created", "widget.secret_rotated"] && second.json["next_cursor"] == .null)
            #expect(actions(try await api.send(.get, "/api/v1/audit-log?action=contact.erased")) == ["contact.erased"])
            #expect(actions(try await api.send(.get, "/api/v1/audit-log?actor=user:1")).isEmpty)
            let unknown = try await api.send(.get, "/api/v1/audit-log?who=me")
            #expect(unknown.status == .badRequest && unknown.isProblem)
        }
    }

    @Test("only admin-scope tokens read the log, and only their own workspace's", arguments: TestBackend.available)
    func scopeAndIsolation(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            _ = try await api.send(.post, "/api/v1/widget/secret")
            let other = try await api.token(forWorkspace: "globex")
            let theirs = try await api.send(.get, "/api/v1/audit-log", token: other)
            #expect(theirs.status == .ok && actions(theirs).isEmpty)
            let secret = APITokenSecret.generate()
            _ = try await api.store.createToken(workspaceID: api.workspaceID, name: "writer", secretHash: APITokenSecret.hash(secret), scope: .write)
            let refused = try await api.send(.get, "/api/v1/audit-log", token: secret)
            #expect(refused.status == .forbidden && refused.isProblem)
        }
    }

    @Test("dashboard member changes are logged with the user; /app/audit shows them to owners only", arguments: TestBackend.available)
    func dashboard(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let owner = try await api.signedIn("olga@example.com", role: .owner)
            let admin = try await api.signedIn("adam@example.com", role: .admin)
            let (viewer, _) = try await api.store.addMember(workspaceID: api.workspaceID, email: "vic@example.com", name: nil, role: .viewer)
            #expect(try await admin.post("/app/members/\(viewer.id)/role", [("role", "member")]).status == .seeOther)
            // Refused by MemberPolicy: an admin cannot make an owner. Nothing logged.
            #expect(try await admin.post("/app/members/\(viewer.id)/role", [("role", "owner")]).status == .forbidden)
            #expect(try await owner.post("/app/members/\(viewer.id)/remove", []).status == .seeOther)

            let page = try await owner.get("/app/audit")
            #expect(page.status == .ok)
            let html = page.html
            #expect(html.contains("member.role_changed") && html.contains("member.removed") && html.contains("adam@example.com"))
            #expect(html.contains("{&quot;from&quot;:&quot;viewer&quot;,&quot;to&quot;:&quot;member&quot;}"))
            #expect(try await admin.get("/app/audit").status == .forbidden)
            let filtered = try await owner.get("/app/audit?action=member.removed")
            #expect(filtered.html.contains("<td>member.removed</td>") && !filtered.html.contains("<td>member.role_changed</td>"))

            let log = try await api.store.auditLog(workspaceID: api.workspaceID, before: nil, limit: 10).items
            #expect(log.map(\.action) == ["member.removed", "member.role_changed"])
            #expect(log.allSatisfy { $0.actor.hasPrefix("user:") && $0.targetID == String(viewer.id) })
        }
    }

    @Test("tokens made and revoked on the command line are logged as the operator's", arguments: TestBackend.available)
    func operatorTokens(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.ensureWorkspace(slug: "acme").workspace
            let token = try await store.createToken(workspaceID: ws.id, name: "CRM sync", secretHash: APITokenSecret.hash("s"), scope: .read, audit: .operator)
            #expect(try await store.revokeToken(workspaceID: ws.id, tokenID: token.id, audit: .operator))
            #expect(try await !store.revokeToken(workspaceID: ws.id, tokenID: token.id, audit: .operator))
            let log = try await store.auditLog(workspaceID: ws.id, before: nil, limit: 10).items
            #expect(log.map(\.action) == ["token.revoked", "token.created"])
            #expect(log.allSatisfy { $0.actor == "operator" && $0.ip == nil && $0.targetID == String(token.id) })
            #expect(log[1].changes == ["name": .string("CRM sync"), "scope": .string("read")])
        }
    }
}
