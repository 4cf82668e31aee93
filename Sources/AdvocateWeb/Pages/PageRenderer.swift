import AdvocateCore
import Crypto
import Foundation
import Hummingbird
import Mustache

/// Renders the respondent pages from the Mustache templates in Resources/Templates, with the
/// headers every such page carries.
///
/// Pages are HTML for people, so their errors are pages too (in the respondent's language),
/// never problem+json. The Content-Security-Policy allows our own style sheet and script and,
/// by its hash, the one inline style element that carries the survey's brand colour.
struct PageRenderer: Sendable {
    private let library: MustacheLibrary

    static let shared: PageRenderer = {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            fatalError("the page templates are missing from the AdvocateWeb bundle")
        }
        var templates: [String: MustacheTemplate] = [:]
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for file in files where file.hasSuffix(".mustache") {
            guard let text = try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8) else { continue }
            do {
                templates[String(file.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
            } catch {
                fatalError("page template \(file) does not parse: \(error)")
            }
        }
        return PageRenderer(library: MustacheLibrary(templates: templates))
    }()

    /// Renders `template` with `values` plus the frame's values (language, direction, brand colour).
    func render(_ template: String, _ values: [String: Any], catalog: Catalog, title: String, brandColor: String,
                script: Bool = false, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        let brandStyle = ":root{--brand:\(brandColor);--brand-text:\(BrandColor.textColor(on: brandColor))}"
        var context = values
        context["lang"] = catalog.locale
        context["dir"] = catalog.direction
        context["title"] = title
        context["brandStyle"] = brandStyle
        context["script"] = script
        let html = library.render(context, withTemplate: template) ?? ""
        let styleHash = Data(SHA256.hash(data: Data(brandStyle.utf8))).base64EncodedString()
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; style-src 'self' 'sha256-\(styleHash)'; script-src 'self'; img-src 'self'; "
                + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .xContentTypeOptions: "nosniff",
            // The token is in the URL: never send it to review sites or share intents.
            .referrerPolicy: "no-referrer",
        ]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The answer to a form post: see the next page (a reload then never re-sends the form).
    func redirect(to location: String, cookies: [Cookie] = []) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// A page with a heading, a text and optionally a one-button form.
    func message(catalog: Catalog, heading: String, text: String?, status: HTTPResponse.Status, isStatus: Bool = false,
                 form: [String: Any]? = nil, headers: HTTPFields = [:]) -> Response {
        var values: [String: Any] = ["heading": heading, "status": isStatus]
        if let text { values["text"] = text }
        if let form { values["form"] = form }
        return render("message", values, catalog: catalog, title: heading, brandColor: SurveySettings().brandColor,
                      status: status, headers: headers)
    }
}

/// Text colour for buttons on the survey's brand colour: white or near-black, whichever has
/// the higher WCAG contrast ratio.
enum BrandColor {
    static func textColor(on hex: String) -> String {
        let u = Array(hex.utf8)
        guard u.count == 7, let value = Int(String(decoding: u.dropFirst(), as: UTF8.self), radix: 16) else { return "#ffffff" }
        func channel(_ shift: Int) -> Double {
            let c = Double((value >> shift) & 0xFF) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        let luminance = 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
        let dark = 0.0116 // #1d2733
        return (1.05) / (luminance + 0.05) >= (luminance + 0.05) / (dark + 0.05) ? "#ffffff" : "#1d2733"
    }
}
