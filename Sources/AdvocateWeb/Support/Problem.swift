import AdvocateCore
import AdvocateStore
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// An error answer in RFC 9457 `application/problem+json` form.
///
/// Every error a client can cause ends up here, so that each one has a status, a title and a
/// detail written for the developer reading it, and validation errors list every field at once.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// Short, fixed summary of the problem type.
    public var title: String
    /// What exactly went wrong with this request.
    public var detail: String
    /// Per-field problems (validation).
    public var issues: [ValidationIssue] = []
    /// Extra headers (e.g. `WWW-Authenticate`).
    public var headers: HTTPFields = [:]

    public init(status: HTTPResponse.Status, title: String? = nil, detail: String, issues: [ValidationIssue] = []) {
        self.status = status
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.issues = issues
    }

    public static func badRequest(_ detail: String) -> Problem { Problem(status: .badRequest, detail: detail) }
    public static func notFound(_ detail: String) -> Problem { Problem(status: .notFound, detail: detail) }
    public static func forbidden(_ detail: String) -> Problem { Problem(status: .forbidden, detail: detail) }
    public static func unauthorized(_ detail: String) -> Problem {
        var p = Problem(status: .unauthorized, detail: detail)
        p.headers[.wwwAuthenticate] = "Bearer realm=\"advocate\""
        return p
    }

    /// 422 listing every invalid field.
    public static func validation(_ error: ValidationError) -> Problem {
        Problem(status: .unprocessableContent, title: "Invalid input",
                detail: error.issues.count == 1 ? error.issues[0].description
                    : "\(error.issues.count) problems: " + error.issues.prefix(5).map(\.description).joined(separator: "; ")
                        + (error.issues.count > 5 ? "; …" : ""),
                issues: error.issues)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: JSONValue] = [
            "type": .string("about:blank"),
            "title": .string(title),
            "status": .integer(Int64(status.code)),
            "detail": .string(detail),
            "instance": .string(request.uri.path),
        ]
        // Delighted's clients show `message`; the same words as `detail`.
        if request.uri.path.hasPrefix("/v1/") { body["message"] = .string(detail) }
        if !issues.isEmpty {
            body["errors"] = .array(issues.map { .object(["field": .string($0.field), "message": .string($0.message)]) })
        }
        var fields = headers
        fields[.contentType] = "application/problem+json"
        var bytes: [UInt8] = []
        JSONValue.object(body).write(into: &bytes)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Maps every error to a problem response, in one place.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The routes, to tell "no such path" (404) from "not with this method" (405).
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as HTTPError where e.status == .notFound {
            let allowed = routes.methods(forPath: request.uri.path)
            guard !allowed.isEmpty else { return try Self.problem(for: e, context: context).response(from: request, context: context) }
            var problem = Problem(status: .methodNotAllowed, detail: "\(request.method) is not allowed here; use \(allowed.joined(separator: ", "))")
            problem.headers[.allow] = allowed.joined(separator: ", ")
            return try problem.response(from: request, context: context)
        } catch {
            return try Self.problem(for: error, context: context).response(from: request, context: context)
        }
    }

    static func problem(for error: any Error, context: Context) -> Problem {
        switch error {
        case let p as Problem:
            return p
        case let e as ValidationError:
            return .validation(e)
        case let e as ConflictError:
            return Problem(status: .conflict, title: "Conflict", detail: e.description,
                           issues: [ValidationIssue(field: e.field, message: e.message)])
        case let e as JSONParseError:
            return Problem(status: .badRequest, title: "Malformed JSON", detail: e.description)
        case let e as HTTPError:
            switch e.status {
            case .contentTooLarge:
                return Problem(status: .contentTooLarge, detail: "the request body is larger than this endpoint accepts")
            case .notFound:
                return Problem(status: .notFound, detail: "no such endpoint; see /openapi.json")
            default:
                return Problem(status: e.status, detail: e.body ?? e.status.reasonPhrase)
            }
        case let e as StoreError:
            context.logger.error("store error: \(e)")
            return Problem(status: .serviceUnavailable, detail: "the database is not available; try again")
        default:
            context.logger.error("unexpected error: \(String(reflecting: error))")
            return Problem(status: .internalServerError, detail: "an unexpected error occurred; it has been logged")
        }
    }
}

/// Path patterns (`/api/v1/surveys/{id}`, captures as the router describes them) and their methods, filled once the router is built.
final class RouteTable: Sendable {
    private let entries = Mutex<[(components: [Substring], methods: [String])]>([])

    func load(_ routes: [(path: String, method: String)]) {
        var byPath: [String: [String]] = [:]
        for route in routes { byPath[route.path, default: []].append(route.method) }
        entries.withLock { e in
            e = byPath.map { (components: $0.key.split(separator: "/"), methods: $0.value.sorted()) }
        }
    }

    /// The methods routed for `path`; empty when no pattern matches it.
    ///
    /// Like the router, a literal segment wins over a capture: `/cases/sla` is its own route, not
    /// `/cases/{id}` (schemathesis caught `Allow` naming the capture's methods).
    func methods(forPath path: String) -> [String] {
        let parts = path.split(separator: "/")
        return entries.withLock { e in
            e.filter { entry in
                entry.components.count == parts.count
                    && zip(entry.components, parts).allSatisfy { Self.isCapture($0.0) || $0.0 == $0.1 }
            }
            .max { literals($0.components) < literals($1.components) }?.methods ?? []
        }
    }

    private static func isCapture(_ component: Substring) -> Bool { component.hasPrefix(":") || component.hasPrefix("{") }

    private func literals(_ components: [Substring]) -> Int { components.count { !Self.isCapture($0) } }
}
