import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Hummingbird

/// `/u/{token}`: unsubscribing from survey e-mail, by the visible link (a page with a button:
/// a GET never unsubscribes, because mail filters open every link) and by RFC 8058 one-click
/// (`POST` with `List-Unsubscribe=One-Click`, sent by the mail client without a page).
/// The person can subscribe again from the same page; nobody else can.
struct UnsubscribePage {
    let store: AdvocateStore

    func addRoutes(to router: Router<AppContext>) {
        router.get("u/:token", use: show)
        router.post("u/:token", use: submit)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let (invitation, catalog) = try await find(request, context: context)
        guard let invitation, let email = invitation.email else { return notFound(catalog) }
        let suppressed = try await store.suppression(workspaceID: invitation.workspaceID, email: email) != nil
        return suppressed ? done(catalog) : question(catalog, email: email)
    }

    @Sendable func submit(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let form = try await request.formBody(limit: 16 * 1024)
        let (invitation, catalog) = try await find(request, context: context)
        guard let invitation, let email = invitation.email else { return notFound(catalog) }
        if form["List-Unsubscribe"] == "One-Click" {
            try await store.suppress(workspaceID: invitation.workspaceID, email: email, reason: .unsubscribed,
                                     detail: "one-click unsubscribe (RFC 8058), invitation \(invitation.id)")
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "unsubscribed\n")))
        }
        switch form["action"] {
        case "unsubscribe":
            try await store.suppress(workspaceID: invitation.workspaceID, email: email, reason: .unsubscribed,
                                     detail: "unsubscribe page, invitation \(invitation.id)")
            return done(catalog)
        case "resubscribe":
            _ = try await store.resubscribe(workspaceID: invitation.workspaceID, email: email)
            return PageLayout.html(title: catalog.text("unsubscribe.title"), catalog: catalog,
                                   body: "<h1>\(HTMLText.escape(catalog.text("unsubscribe.title")))</h1>\n<p role=\"status\">\(HTMLText.escape(catalog.text("unsubscribe.resubscribed")))</p>")
        default:
            throw Problem.badRequest("the form must send action=unsubscribe or action=resubscribe, or List-Unsubscribe=One-Click")
        }
    }

    private func find(_ request: Request, context: AppContext) async throws -> (Invitation?, Catalog) {
        let token = context.parameters.get("token") ?? ""
        let accept = request.headers[.acceptLanguage]
        guard InvitationToken.isWellFormed(token),
              let invitation = try await store.invitation(tokenHash: InvitationToken.hash(token)) else {
            return (nil, Catalog.best(for: [accept]))
        }
        return (invitation, Catalog.best(for: [invitation.locale, accept]))
    }

    private func question(_ catalog: Catalog, email: String) -> Response {
        let e = HTMLText.escape
        return PageLayout.html(title: catalog.text("unsubscribe.title"), catalog: catalog, body: """
            <h1>\(e(catalog.text("unsubscribe.title")))</h1>
            <p>\(e(catalog.text("unsubscribe.question", ["email": email])))</p>
            <form method="post"><input type="hidden" name="action" value="unsubscribe">
            <button type="submit">\(e(catalog.text("unsubscribe.button")))</button></form>
            """)
    }

    private func done(_ catalog: Catalog) -> Response {
        let e = HTMLText.escape
        return PageLayout.html(title: catalog.text("unsubscribe.title"), catalog: catalog, body: """
            <h1>\(e(catalog.text("unsubscribe.title")))</h1>
            <p role="status">\(e(catalog.text("unsubscribe.done")))</p>
            <form method="post"><input type="hidden" name="action" value="resubscribe">
            <button type="submit" class="secondary">\(e(catalog.text("unsubscribe.resubscribe_button")))</button></form>
            """)
    }

    private func notFound(_ catalog: Catalog) -> Response {
        PageLayout.html(title: catalog.text("page.not_found"), catalog: catalog,
                        body: "<h1>\(HTMLText.escape(catalog.text("page.expired")))</h1>", status: .notFound)
    }
}
