import AdvocateCore
import AdvocateStore
import Hummingbird

/// `/api/v1/jobs`: the workspace's background work, above all the dead jobs (failed on every
/// attempt) that a person should look at, and their retry.
struct JobsController {
    let store: AdvocateStore
    let sending: SendingState

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("jobs", use: list)
        group.get("jobs/:id", use: show)
        group.post("jobs/:id/retry", use: retry)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let limit = q.limit()
        let cursor = q.cursor()
        let state = q.oneOf("state", JobState.self)
        try q.finish()
        let page = try await store.jobs(workspaceID: try context.requireWorkspace(), state: state, before: cursor, limit: limit)
        return JSONResponse.make(Representation.page(page.items.map(Representation.job), next: page.nextCursor))
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard let job = try await store.job(workspaceID: try context.requireWorkspace(), id: id) else {
            throw Problem.notFound("no job with id \(id) in this workspace")
        }
        return JSONResponse.make(Representation.job(job))
    }

    @Sendable func retry(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard let (job, retried) = try await store.retryDeadJob(workspaceID: try context.requireWorkspace(), id: id) else {
            throw Problem.notFound("no job with id \(id) in this workspace")
        }
        guard retried else {
            throw Problem(status: .conflict, detail: "job \(id) is \(job.state.rawValue); only dead jobs can be retried")
        }
        sending.wake()
        return JSONResponse.make(Representation.job(job), status: .accepted)
    }
}
