import Synchronization

/// The process's counters, gauges and histograms, written in the Prometheus text format
/// (version 0.0.4) at `/metrics`.
///
/// One registry per process (`Metrics.shared`): the ingest writer, the e-mail sender, the job
/// runner and the HTTP server all count into it. Counters only grow while the process lives, as
/// Prometheus expects; rates and totals across restarts are Prometheus's to compute.
public final class Metrics: Sendable {
    public static let shared = Metrics()

    public enum Kind: String, Sendable { case counter, gauge, histogram }

    /// Upper bounds of the latency histograms, in seconds: 1 ms to 10 s.
    public static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct Series: Hashable, Comparable {
        var name: String
        var labels: [String: String]
        static func < (a: Series, b: Series) -> Bool {
            (a.name, a.labelText) < (b.name, b.labelText)
        }
        var labelText: String { Metrics.labelText(labels) }
    }

    private struct Histogram {
        var counts: [Int]
        var sum: Double = 0
        var count = 0
    }

    private struct State {
        var descriptions: [String: (Kind, String)] = [:]
        var values: [Series: Double] = [:]
        var histograms: [Series: Histogram] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Names a metric's type and help text (shown once in the exposition).
    public func describe(_ name: String, _ kind: Kind, _ help: String) {
        state.withLock { $0.descriptions[name] = (kind, help) }
    }

    public func increment(_ name: String, _ labels: [String: String] = [:], by amount: Double = 1) {
        state.withLock { $0.values[Series(name: name, labels: labels), default: 0] += amount }
    }

    public func set(_ name: String, _ labels: [String: String] = [:], to value: Double) {
        state.withLock { $0.values[Series(name: name, labels: labels)] = value }
    }

    public func observe(_ name: String, _ labels: [String: String] = [:], _ value: Double) {
        state.withLock { s in
            let series = Series(name: name, labels: labels)
            var h = s.histograms[series] ?? Histogram(counts: Array(repeating: 0, count: Self.latencyBuckets.count))
            if let bucket = Self.latencyBuckets.firstIndex(where: { value <= $0 }) { h.counts[bucket] += 1 }
            h.sum += value
            h.count += 1
            s.histograms[series] = h
        }
    }

    /// The value of a counter or gauge (tests read deltas through this).
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        state.withLock { $0.values[Series(name: name, labels: labels)] ?? 0 }
    }

    /// Everything, in the text exposition format.
    public func exposition() -> String {
        let s = state.withLock { $0 }
        var out = ""
        let names = Set(s.values.keys.map(\.name)).union(s.histograms.keys.map(\.name)).sorted()
        for name in names {
            if let (kind, help) = s.descriptions[name] {
                out += "# HELP \(name) \(help.replacingBackslashesAndNewlines)\n# TYPE \(name) \(kind.rawValue)\n"
            }
            for series in s.values.keys.filter({ $0.name == name }).sorted() {
                out += "\(name)\(series.labelText) \(Self.number(s.values[series]!))\n"
            }
            for series in s.histograms.keys.filter({ $0.name == name }).sorted() {
                let h = s.histograms[series]!
                var cumulative = 0
                for (bound, count) in zip(Self.latencyBuckets, h.counts) {
                    cumulative += count
                    out += "\(name)_bucket\(Self.labelText(series.labels.merging(["le": Self.number(bound)]) { a, _ in a })) \(cumulative)\n"
                }
                out += "\(name)_bucket\(Self.labelText(series.labels.merging(["le": "+Inf"]) { a, _ in a })) \(h.count)\n"
                out += "\(name)_sum\(series.labelText) \(Self.number(h.sum))\n\(name)_count\(series.labelText) \(h.count)\n"
            }
        }
        return out
    }

    static func labelText(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.keys.sorted().map { "\($0)=\"\(labels[$0]!.escapedLabelValue)\"" }.joined(separator: ",") + "}"
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }
}

extension String {
    /// A label value as the text format wants it: backslash, double quote and line feed escaped.
    var escapedLabelValue: String {
        var out = ""
        for c in self {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    var replacingBackslashesAndNewlines: String {
        var out = ""
        for c in self {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
