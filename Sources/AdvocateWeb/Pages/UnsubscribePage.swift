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
    private let renderer = PageRenderer.shared

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
            return renderer.message(catalog: catalog, heading: catalog.text("unsubscribe.title"),
                                    text: catalog.text("unsubscribe.resubscribed"), status: .ok, isStatus: true)
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
        renderer.message(catalog: catalog, heading: catalog.text("unsubscribe.title"),
                         text: catalog.text("unsubscribe.question", ["email": email]), status: .ok,
                         form: Self.form(action: "unsubscribe", button: catalog.text("unsubscribe.button"), primary: true))
    }

    private func done(_ catalog: Catalog) -> Response {
        renderer.message(catalog: catalog, heading: catalog.text("unsubscribe.title"), text: catalog.text("unsubscribe.done"),
                         status: .ok, isStatus: true,
                         form: Self.form(action: "resubscribe", button: catalog.text("unsubscribe.resubscribe_button"), primary: false))
    }

    private func notFound(_ catalog: Catalog) -> Response {
        renderer.message(catalog: catalog, heading: catalog.text("page.expired"), text: nil, status: .notFound)
    }

    /// The page's one-button form. No CSRF token: unsubscribing must also work as RFC 8058's
    /// one-click POST from a mail client, which has none; the unguessable token in the path is
    /// what authorises it, and nobody else can subscribe a person again.
    private static func form(action: String, button: String, primary: Bool) -> [String: Any] {
        ["fields": [["name": "action", "value": action]], "button": button, "buttonClass": primary ? "primary" : ""]
    }
}
