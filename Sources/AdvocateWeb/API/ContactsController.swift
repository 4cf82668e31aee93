import AdvocateCore
import AdvocateStore
import Hummingbird

/// `/api/v1/contacts`: upsert by external id, read, list, export and erase contacts.
struct ContactsController {
    let store: AdvocateStore

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("contacts", use: list)
        group.put("contacts/:external_id", use: upsert)
        group.get("contacts/:external_id", use: show)
        group.get("contacts/:external_id/export", use: export)
        group.delete("contacts/:external_id", use: erase)
    }

    @Sendable func upsert(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let externalID = try context.textParameter("external_id")
        let input = try ContactInput.decodeUpsert(try await request.jsonBody(limit: Limits.singleBodyBytes), externalID: externalID)
        let (contact, created) = try await store.upsertContact(workspaceID: try context.requireWorkspace(), input)
        return JSONResponse.make(Representation.contact(contact), status: created ? .created : .ok)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let externalID = try context.textParameter("external_id")
        guard let contact = try await store.contact(workspaceID: try context.requireWorkspace(), externalID: externalID) else {
            throw Problem.notFound("no contact with external_id \"\(externalID)\" in this workspace")
        }
        return JSONResponse.make(Representation.contact(contact))
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let limit = q.limit()
        let cursor = q.cursor()
        try q.finish()
        let page = try await store.contacts(workspaceID: try context.requireWorkspace(), after: cursor, limit: limit)
        return JSONResponse.make(Representation.page(page.items.map(Representation.contact), next: page.nextCursor))
    }

    /// Everything held about the person, for an access request (`AdvocateStore.personalData`).
    @Sendable func export(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let externalID = try context.textParameter("external_id")
        guard let doc = try await store.personalData(workspaceID: try context.requireWorkspace(), person: .externalID(externalID),
                                                     audit: context.auditActor) else {
            throw Problem.notFound("no contact with external_id \"\(externalID)\" in this workspace")
        }
        return JSONResponse.make(doc)
    }

    @Sendable func erase(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let externalID = try context.textParameter("external_id")
        guard try await store.eraseContact(workspaceID: try context.requireWorkspace(), externalID: externalID, audit: context.auditActor) else {
            throw Problem.notFound("no contact with external_id \"\(externalID)\" in this workspace")
        }
        return Response(status: .noContent)
    }
}
