import AdvocateCore
import AdvocateStore
import Hummingbird
import NIOCore
import NPS

/// `/api/v1/responses`: record answers (one or a batch) and list them.
struct ResponsesController {
    let store: AdvocateStore

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.post("responses", use: create)
        group.post("responses/batch", use: createBatch)
        group.get("responses", use: list)
        group.get("responses/:id", use: show)
    }

    /// 201 for a new response, 200 when the answer updated its round's response.
    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let json = try await request.jsonBody(limit: Limits.singleBodyBytes)
        let submission = try ResponseSubmission.decode(json).get()
        let outcome = try await store.record(workspaceID: try context.requireWorkspace(), [submission], batch: false)[0]
        // Hand-built: this is the hottest response in the product.
        var buffer = ByteBuffer()
        buffer.writeString("{\"id\":\(outcome.id),\"category\":\"\(outcome.category.rawValue)\",\"created\":\(outcome.created)}")
        return Response(status: outcome.created ? .created : .ok,
                        headers: [.contentType: "application/json", .location: "/api/v1/responses/\(outcome.id)"],
                        body: .init(byteBuffer: buffer))
    }

    /// All items are validated first; any invalid item means 422 listing each by index and
    /// nothing written.
    @Sendable func createBatch(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let json = try await request.jsonBody(limit: Limits.batchBodyBytes)
        let submissions = try ResponseSubmission.decodeBatch(json)
        let outcomes = try await store.record(workspaceID: try context.requireWorkspace(), submissions, batch: true)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(outcomes.count * 48 + 64)
        bytes.append(contentsOf: "{\"created\":\(outcomes.filter(\.created).count),\"updated\":\(outcomes.filter { !$0.created }.count),\"responses\":[".utf8)
        for (i, o) in outcomes.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: "{\"id\":\(o.id),\"category\":\"\(o.category.rawValue)\",\"created\":\(o.created)}".utf8)
        }
        bytes.append(contentsOf: "]}".utf8)
        return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let workspaceID = try context.requireWorkspace()
        let id = try context.idParameter()
        guard let response = try await store.response(workspaceID: workspaceID, id: id) else {
            throw Problem.notFound("no response with id \(id) in this workspace")
        }
        if try await store.employeeSurveyIDs(workspaceID: workspaceID).contains(response.surveyID) {
            throw Problem.forbidden(Anonymity.individualAnswersRefused(surveyID: response.surveyID))
        }
        let contacts = try await store.contacts(workspaceID: workspaceID, ids: response.contactID.map { [$0] } ?? [])
        return JSONResponse.make(Representation.response(response, contact: response.contactID.flatMap { contacts[$0] }))
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let workspaceID = try context.requireWorkspace()
        var q = QueryReader(request)
        var filter = q.responseFilter()
        filter.updatedSince = q.timestamp("updated_since")
        let externalID = q.string("contact", maxCharacters: Limits.externalIDCharacters)
        let limit = q.limit()
        let cursor = q.cursor()
        try q.finish()
        if let externalID {
            guard let contact = try await store.contact(workspaceID: workspaceID, externalID: externalID) else {
                return JSONResponse.make(Representation.page([], next: nil))
            }
            filter.contactID = contact.id
        }
        // eNPS: an employee survey's answers are refused by name and left out of every other list.
        filter.excludedSurveyIDs = try await store.employeeSurveyIDs(workspaceID: workspaceID)
        if let survey = filter.surveyID, filter.excludedSurveyIDs.contains(survey) {
            throw Problem.forbidden(Anonymity.individualAnswersRefused(surveyID: survey))
        }
        let page = try await store.responses(workspaceID: workspaceID, filter: filter, before: cursor, limit: limit)
        let contacts = try await store.contacts(workspaceID: workspaceID, ids: Array(Set(page.items.compactMap(\.contactID))))
        return JSONResponse.make(Representation.page(page.items.map { Representation.response($0, contact: $0.contactID.flatMap { contacts[$0] }) },
                                                     next: page.nextCursor))
    }
}
