import AdvocateCore
import Hummingbird

/// The frame of every respondent-facing page: language and direction, a small inline style
/// sheet (no third-party asset, no JavaScript), the content.
enum PageLayout {
    static func html(title: String, catalog: Catalog, body: String, status: HTTPResponse.Status = .ok) -> Response {
        let e = HTMLText.escape
        let page = """
            <!DOCTYPE html>
            <html lang="\(e(catalog.locale))" dir="\(catalog.direction)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>\(e(title))</title>
            <style>
            body{margin:0;background:#f4f6f8;color:#1d2733;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif}
            main{max-width:36rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:.5rem}
            h1{font-size:1.5rem;margin:0 0 1rem}
            button{font:inherit;padding:.6rem 1.2rem;border-radius:.3rem;border:1px solid #1d2733;background:#1d2733;color:#fff;cursor:pointer}
            button.secondary{background:#fff;color:#1d2733}
            button:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
            </style>
            </head>
            <body>
            <main>
            \(body)
            </main>
            </body>
            </html>

            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                         body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
