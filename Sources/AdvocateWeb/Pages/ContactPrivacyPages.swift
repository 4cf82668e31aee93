import AdvocateCore
import AdvocateStore
import Hummingbird

/// A person's access and erasure requests on the dashboard (admins and owners): the personal-data
/// JSON as a download, and erasure behind a confirmation form. The response page links to both.
struct ContactPrivacyPages {
    let store: AdvocateStore
    let accounts: AccountPages

    func addRoutes(to router: Router<AppContext>) {
        router.get("app/contacts/:id/export", use: export)
        router.get("app/contacts/:id/erase", use: confirm)
        router.post("app/contacts/:id/erase", use: erase)
    }

    @Sendable func export(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        // Another workspace's contact is as absent as one that never existed.
        guard let id = context.parameters.get("id").flatMap(Int64.init),
              let doc = try await store.personalData(workspaceID: session.membership.workspace.id, person: .id(id),
                                                        audit: accounts.auditActor(session, context)) else { return Self.missing() }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .contentDisposition: "attachment; filename=\"contact-\(id).json\"",
                                               .cacheControl: "no-store", .xContentTypeOptions: "nosniff"],
                        body: .init(byteBuffer: ByteBuffer(string: doc.serialized())))
    }

    @Sendable func confirm(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        guard let id = context.parameters.get("id").flatMap(Int64.init),
              let contact = try await store.contact(workspaceID: session.membership.workspace.id, id: id) else { return Self.missing() }
        let form = accounts.cookies.session(request, respondent: false)
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        values["onResponses"] = true
        values["contactID"] = contact.id
        values["who"] = contact.name ?? contact.email ?? contact.externalID ?? "contact \(contact.id)"
        values["email"] = contact.email ?? ""
        values["externalID"] = contact.externalID ?? ""
        return try await accounts.dashboardPage("contact-erase", values, title: "Erase a contact", session: session, cookies: form.cookies)
    }

    @Sendable func erase(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .admin) else { return PageRenderer.shared.redirect(to: "/login") }
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { return Self.missing() }
        guard fields["confirm"] == "erase" else {
            return PageRenderer.shared.message(catalog: Catalog.english, heading: "Nothing was erased",
                                               text: "Tick the box that confirms the erasure, then press the button again.", status: .badRequest)
        }
        guard try await store.erasePerson(workspaceID: session.membership.workspace.id, person: .id(id),
                                           audit: accounts.auditActor(session, context)) else { return Self.missing() }
        return PageRenderer.shared.message(catalog: Catalog.english, heading: "Erased",
                                           text: "Everything about this person is gone: their answers, comments, notes, cases, invitations and the webhook deliveries that carried them. The reports no longer count their answers.",
                                           status: .ok, isStatus: true)
    }

    private static func missing() -> Response {
        PageRenderer.shared.message(catalog: Catalog.english, heading: "Contact not found", text: "There is no such contact in this workspace.", status: .notFound)
    }
}
