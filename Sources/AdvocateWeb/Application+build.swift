import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// What `advocate serve` needs to know, validated before anything starts.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var logLevel: Logger.Level
    /// Where respondents reach this server (`--public-url`), without a trailing slash.
    public var publicURL: String?
    /// Calls a minute each API key may make to the Delighted-compatible `/v1` (per instance).
    public var delightedRequestsPerMinute: Int
    /// Which webhook URLs are accepted (private networks are refused by default).
    public var webhooks: WebhookSettings
    /// Per-address and per-invitation limits on the widget and one-click links.
    public var publicRateLimits: PublicRateLimits

    public init(host: String = "127.0.0.1", port: Int = 8080, logLevel: Logger.Level = .info, publicURL: String? = nil,
                delightedRequestsPerMinute: Int = 600, webhooks: WebhookSettings = WebhookSettings(),
                publicRateLimits: PublicRateLimits = PublicRateLimits()) {
        self.webhooks = webhooks
        self.publicRateLimits = publicRateLimits
        self.delightedRequestsPerMinute = delightedRequestsPerMinute
        self.host = host
        self.port = port
        self.logLevel = logLevel
        self.publicURL = publicURL
    }
}

/// Builds the whole HTTP application on a store; `serve` and the tests call this same function.
public func buildApplication(store: AdvocateStore, configuration: ServerConfiguration, sending: SendingState = .disabled,
                             accounts: AccountSettings = AccountSettings(),
                             onServerRunning: @escaping @Sendable (any NIOCore.Channel) async -> Void = { _ in })
    -> some ApplicationProtocol {
    var logger = Logger(label: "advocate")
    logger.logLevel = configuration.logLevel
    let router = buildRouter(store: store, sending: sending, publicURL: configuration.publicURL, accounts: accounts,
                             delightedRequestsPerMinute: configuration.delightedRequestsPerMinute, webhooks: configuration.webhooks,
                             publicRateLimits: configuration.publicRateLimits)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "advocate"),
        services: sending.runner.map { [$0] } ?? [],
        onServerRunning: onServerRunning,
        logger: logger)
}

/// The routes: public endpoints, then the authenticated API.
///
/// - Parameter publicURL: where respondents reach this server (`--public-url`): links the API
///   returns are full URLs with it, paths without it; https also makes respondent cookies Secure.
/// - Parameter accounts: the dashboard's sign-in settings (bcrypt cost, attempt limits, the first owner's setup token).
/// - Parameter metrics: where HTTP requests are counted and what `/metrics` shows (the process's
///   registry; a test passes its own to count only its requests).
/// - Parameter webhooks: which webhook URLs are accepted.
/// - Parameter publicRateLimits: per-address and per-invitation limits on the widget and one-click links.
public func buildRouter(store: AdvocateStore, sending: SendingState = .disabled, publicURL: String? = nil,
                        accounts: AccountSettings = AccountSettings(), delightedRequestsPerMinute: Int = 600,
                        metrics: Metrics = .shared, webhooks: WebhookSettings = WebhookSettings(),
                        publicRateLimits: PublicRateLimits = PublicRateLimits()) -> Router<AppContext> {
    let publicLimiter = PublicRateLimiter(clock: store.clock, limits: publicRateLimits)
    let router = Router(context: AppContext.self)
    let routes = RouteTable()
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: SecurityHeadersMiddleware(behindTLS: publicURL?.lowercased().hasPrefix("https://") == true))
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.add(middleware: ProblemMiddleware(routes: routes))
    // An empty handler: the health check, and the benchmark's ceiling.
    router.get("healthz") { _, _ in HTTPResponse.Status.ok }
    OperationsEndpoints(store: store, metrics: metrics).addRoutes(to: router)
    router.get("openapi.json") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: OpenAPIDocument.bytes))
    }
    UnsubscribePage(store: store).addRoutes(to: router)
    SurveyPages(store: store, secureCookies: publicURL?.lowercased().hasPrefix("https://") == true, publicLimiter: publicLimiter).addRoutes(to: router)
    StaticAssets.shared.addRoutes(to: router)
    OpenTracking(store: store).addRoutes(to: router)
    let accountPages = AccountPages(store: store, settings: accounts, sending: sending,
                                    secureCookies: publicURL?.lowercased().hasPrefix("https://") == true)
    router.add(middleware: DashboardAccessMiddleware(accounts: accountPages, routes: routes))
    accountPages.addRoutes(to: router)
    MemberPages(store: store, accounts: accountPages, sending: sending).addRoutes(to: router)
    AccountSettingsPage(store: store, accounts: accountPages).addRoutes(to: router)
    ResponsePages(store: store, accounts: accountPages).addRoutes(to: router)
    ContactPrivacyPages(store: store, accounts: accountPages).addRoutes(to: router)
    RetentionPage(store: store, accounts: accountPages).addRoutes(to: router)
    SurveyReportPage(store: store, accounts: accountPages).addRoutes(to: router)
    OutcomesPage(store: store, accounts: accountPages).addRoutes(to: router)
    ThemePages(store: store, accounts: accountPages, sending: sending).addRoutes(to: router)
    CasePages(store: store, accounts: accountPages, sending: sending).addRoutes(to: router)
    AlertRulePages(store: store, accounts: accountPages, settings: webhooks, sending: sending).addRoutes(to: router)
    AuditPage(store: store, accounts: accountPages).addRoutes(to: router)
    WidgetController(store: store, limiter: publicLimiter).addRoutes(to: router)
    let tokens = TokenCache()
    let delighted = router.group("v1").add(middleware: DelightedAuthenticator(store: store, cache: tokens, requestsPerMinute: delightedRequestsPerMinute))
    DelightedController(store: store, sending: sending, publicURL: publicURL).addRoutes(to: delighted)
    let api = router.group("api/v1").add(middleware: TokenAuthenticator(store: store, cache: tokens))
    SurveysController(store: store).addRoutes(to: api)
    ContactsController(store: store).addRoutes(to: api)
    ResponsesController(store: store).addRoutes(to: api)
    InvitationsController(store: store, sending: sending).addRoutes(to: api)
    SuppressionsController(store: store).addRoutes(to: api)
    JobsController(store: store, sending: sending).addRoutes(to: api)
    LinksController(store: store, publicURL: publicURL).addRoutes(to: api)
    CampaignsController(store: store, sending: sending).addRoutes(to: api)
    TriggersController(store: store, sending: sending).addRoutes(to: api)
    VerbatimsController(store: store).addRoutes(to: api)
    ThemesController(store: store, sending: sending).addRoutes(to: api)
    WidgetSettingsController(store: store).addRoutes(to: api)
    WebhooksController(store: store, settings: webhooks, sending: sending).addRoutes(to: api)
    AlertRulesController(store: store, settings: webhooks).addRoutes(to: api)
    CasesController(store: store, sending: sending).addRoutes(to: api)
    RetentionController(store: store).addRoutes(to: api)
    AuditLogController(store: store).addRoutes(to: api)
    routes.load(router.routes.map { (path: $0.path.description, method: $0.method.rawValue) })
    return router
}

/// The OpenAPI document, the source of truth for `/api/v1`, served as it is in the repository.
enum OpenAPIDocument {
    static let bytes: ByteBuffer = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return ByteBuffer(string: "{}") }
        return ByteBuffer(bytes: data)
    }()
}
