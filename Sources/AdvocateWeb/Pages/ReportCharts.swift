import AdvocateCore
import Foundation
import NPS

/// The dashboard's charts as inline SVG drawn on the server: no script, no third-party library,
/// and the page's Content-Security-Policy allows no inline styles, so every colour and size is an
/// SVG attribute. Each chart has a title and a text equivalent beside it (the page's tables).
enum ReportCharts {
    static let inkColor = "#4a5563"

    /// The 0–10 distribution: one bar per score in its category's colour, the count above it.
    static func distribution(_ counts: [Int]) -> String {
        let width = 440, height = 160, bar = 32, gap = 8, top = 18, base = height - 22
        let most = max(counts.max() ?? 0, 1)
        var svg = ##"<svg class="chart" viewBox="0 0 \##(width) \##(height)" role="img" aria-labelledby="dist-title"><title id="dist-title">Answers per score, 0 to 10</title>"##
        for (score, count) in counts.enumerated() {
            let x = 4 + score * (bar + gap)
            let h = count == 0 ? 0 : max(2, (base - top) * count / most)
            // The one palette of the scale (e-mail, survey page, widget).
            let fill = InvitationEmail.colors(score: score, style: .categories).background
            svg += ##"<rect x="\##(x)" y="\##(base - h)" width="\##(bar)" height="\##(h)" fill="\##(fill)"><title>\##(score): \##(count)</title></rect>"##
            svg += ##"<text x="\##(x + bar / 2)" y="\##(base - h - 4)" text-anchor="middle" font-size="11" fill="\##(inkColor)">\##(count)</text>"##
            svg += ##"<text x="\##(x + bar / 2)" y="\##(height - 6)" text-anchor="middle" font-size="12" fill="#1d2733">\##(score)</text>"##
        }
        return svg + "</svg>"
    }

    /// The trend: NPS per bucket with its 95% interval as a band; buckets with fewer than 30
    /// answers are hollow, and a change significant against the previous bucket is ringed.
    static func trend(_ points: [TrendPoint]) -> String {
        let width = 640, height = 220, left = 36, right = 12, top = 10, bottom = 28
        let plotted = points.filter { $0.summary.nps != nil }
        var svg = ##"<svg class="chart" viewBox="0 0 \##(width) \##(height)" role="img" aria-labelledby="trend-title"><title id="trend-title">NPS over time with its 95% interval</title>"##
        func y(_ nps: Double) -> Double { Double(top) + (100 - nps) / 200 * Double(height - top - bottom) }
        for tick in [-100, -50, 0, 50, 100] {
            let ty = y(Double(tick))
            svg += ##"<line x1="\##(left)" x2="\##(width - right)" y1="\##(fmt(ty))" y2="\##(fmt(ty))" stroke="#dde2e8" stroke-width="1"/>"##
            svg += ##"<text x="\##(left - 6)" y="\##(fmt(ty + 4))" text-anchor="end" font-size="11" fill="\##(inkColor)">\##(tick)</text>"##
        }
        guard !plotted.isEmpty else { return svg + "</svg>" }
        let step = plotted.count > 1 ? Double(width - left - right - 16) / Double(plotted.count - 1) : 0
        func x(_ i: Int) -> Double { Double(left + 8) + Double(i) * step }
        let band = plotted.enumerated().compactMap { i, p in p.summary.interval.map { "\(fmt(x(i))),\(fmt(y($0.high)))" } }
            + plotted.enumerated().reversed().compactMap { i, p in p.summary.interval.map { "\(fmt(x(i))),\(fmt(y($0.low)))" } }
        if band.count >= 2 { svg += ##"<polygon points="\##(band.joined(separator: " "))" fill="#1e5a9c" fill-opacity="0.15"/>"## }
        let line = plotted.enumerated().map { i, p in "\(fmt(x(i))),\(fmt(y(p.summary.nps!)))" }
        svg += ##"<polyline points="\##(line.joined(separator: " "))" fill="none" stroke="#1e5a9c" stroke-width="2"/>"##
        for (i, p) in plotted.enumerated() {
            let nps = p.summary.nps!
            let small = p.summary.isSmallSample
            let label = "\(p.start): NPS \(Display.roundedPoints(nps)), n = \(p.summary.tally.n)" + (small ? " (small sample)" : "")
                + (p.changeSignificant == true ? ", a significant change" : "")
            if p.changeSignificant == true {
                svg += ##"<circle cx="\##(fmt(x(i)))" cy="\##(fmt(y(nps)))" r="8" fill="none" stroke="#b42318" stroke-width="2"/>"##
            }
            svg += ##"<circle cx="\##(fmt(x(i)))" cy="\##(fmt(y(nps)))" r="4" fill="\##(small ? "#ffffff" : "#1e5a9c")" stroke="#1e5a9c" stroke-width="2"><title>\##(label)</title></circle>"##
        }
        if let first = plotted.first, let last = plotted.last {
            svg += ##"<text x="\##(left + 8)" y="\##(height - 8)" font-size="11" fill="\##(inkColor)">\##(first.start)</text>"##
            if plotted.count > 1 {
                svg += ##"<text x="\##(fmt(x(plotted.count - 1)))" y="\##(height - 8)" text-anchor="end" font-size="11" fill="\##(inkColor)">\##(last.start)</text>"##
            }
        }
        return svg + "</svg>"
    }

    private static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
}
