import Foundation
import Session

/// The stats bar: segments joined by a separator, added left to right when they fit
/// (the first, the mode, is always there). Two rows when the geometry has them:
///
///     THINKING │ model Q4_K_M │ 21.4 tok/s pp 310 tok/s │ ttft 0.42s answer 3.10s
///     tokens r 412 a 80 p 30 │ ctx [██░░░░░░] 512/4096 │ mem 1.2G kv 64M │ temp 0.6 … │ 2 threads
///
/// With one row: mode, speed, context.
enum StatsBar {
    static func rows(_ s: UIState, count: Int) -> [[String]] {
        let mode = s.mode == .on ? "THINKING" : "DIRECT"
        if count < 2 { return [[mode] + [speed(s), context(s)].compactMap { $0 }] }
        let model = s.status.modelName.isEmpty ? nil
            : s.status.modelName + (s.status.quantization.isEmpty ? "" : " " + s.status.quantization)
        return [
            [mode] + [model, speed(s), latency(s)].compactMap { $0 },
            [tokens(s), context(s), memory(s), sampler(s), threads(s)].compactMap { $0 },
        ]
    }

    /// Joins `segments` into one line of at most `width` columns: a segment that does not
    /// fit is left out and the later ones are still tried; the first is cut if it must be.
    static func line(_ segments: [String], width: Int, glyphs: Glyphs) -> String {
        var out = ""
        for seg in segments {
            let candidate = out.isEmpty ? " " + seg : out + " \(glyphs.separator) " + seg
            if CharWidth.of(candidate) > width {
                if out.isEmpty { out = TurnLayout.truncate(" " + seg, width: width, glyphs: glyphs) }
                continue
            }
            out = candidate
        }
        return out
    }

    static func speed(_ s: UIState) -> String? {
        if s.generating, let p = s.prefill, p.total > 0, p.done < p.total {
            return prefill(p, fallbackRate: s.liveStats?.prefillTokensPerSecond, glyphs: s.glyphs)
        }
        guard let st = s.liveStats else { return nil }
        var parts: [String] = []
        if let d = st.decodeTokensPerSecond { parts.append("\(rate(d)) tok/s") }
        if let p = st.prefillTokensPerSecond { parts.append("pp \(rate(p)) tok/s") }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// "prefill [██░░░░░░] 512/2048 310 tok/s 5 s left": the rate measured so far in this
    /// prompt, else `fallbackRate` (the last turn's), else no rate and no estimate.
    static func prefill(_ p: PrefillProgress, fallbackRate: Double?, glyphs: Glyphs) -> String {
        var t = "prefill [\(bar(p.done, of: p.total, glyphs: glyphs))] \(p.done)/\(p.total)"
        if let r = p.rate ?? fallbackRate, r > 0 {
            t += " \(rate(r)) tok/s \(duration(Double(p.total - p.done) / r)) left"
        }
        return t
    }

    /// An 8-cell bar, `done` of `total` filled (rounded up: any progress shows).
    static func bar(_ done: Int, of total: Int, glyphs: Glyphs) -> String {
        let cells = 8
        let full = total > 0 ? min(cells, Int((Double(done) / Double(total) * Double(cells)).rounded(.up))) : 0
        return String(repeating: glyphs.barFull, count: full) + String(repeating: glyphs.barEmpty, count: cells - full)
    }

    /// Whole seconds rounded up ("8 s"), minutes and seconds from a minute ("2 min 05 s").
    static func duration(_ seconds: Double) -> String {
        let n = Int(min(seconds, 1e7).rounded(.up))
        return n < 60 ? "\(n) s" : "\(n / 60) min \(String(format: "%02d", n % 60)) s"
    }

    static func latency(_ s: UIState) -> String? {
        guard let st = s.liveStats, let f = st.timeToFirstToken else { return nil }
        var t = "ttft \(fmt2(f))s"
        if let a = st.timeToFirstAnswerToken { t += " answer \(fmt2(a))s" }
        return t
    }

    static func tokens(_ s: UIState) -> String? {
        guard let st = s.liveStats else { return nil }
        return "tokens r \(st.reasoningTokens) a \(st.answerTokens) p \(st.promptTokens)"
    }

    static func context(_ s: UIState) -> String? {
        let size = (s.liveStats?.contextSize).flatMap { $0 > 0 ? $0 : nil } ?? s.status.contextSize
        guard size > 0 else { return nil }
        let used = min(size, s.liveStats?.contextUsed ?? 0)
        return "ctx [\(bar(used, of: size, glyphs: s.glyphs))] \(used)/\(size)"
    }

    static func memory(_ s: UIState) -> String? {
        var parts: [String] = []
        if let r = s.rssBytes { parts.append("mem \(bytes(r))") }
        if s.status.kvCacheBytes > 0 { parts.append("kv \(bytes(s.status.kvCacheBytes))") }
        if let snap = s.liveStats?.snapshotBytes, snap > 0 { parts.append("snap \(bytes(snap))") }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    static func sampler(_ s: UIState) -> String? {
        // The sampler of the next turn's mode.
        var parts: [String] = []
        if let sp = s.status.sampling(for: s.mode) { parts.append(sp.summary) }
        if let seed = s.status.seed { parts.append("seed \(seed)") }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    static func threads(_ s: UIState) -> String? {
        s.status.threads > 0 ? "\(s.status.threads) thread\(s.status.threads == 1 ? "" : "s")" : nil
    }

    /// A rate: one decimal below 100, whole numbers above ("21.4", "310").
    static func rate(_ x: Double) -> String { x < 100 ? fmt1(x) : String(Int(x.rounded())) }
    static func fmt1(_ x: Double) -> String { String(format: "%.1f", x) }
    static func fmt2(_ x: Double) -> String { String(format: "%.2f", x) }
    /// Up to 3 decimals, trailing zeros dropped ("0.7", "0.95", "1").
    static func fmtShort(_ x: Double) -> String {
        var s = String(format: "%.3f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
    /// Bytes in binary units with one decimal below 10 ("1.2G", "64M", "512K").
    static func bytes(_ n: Int) -> String {
        let units = ["B", "K", "M", "G", "T"]
        var v = Double(n), u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return (v < 10 && u > 0 ? fmt1(v) : String(Int(v.rounded()))) + units[u]
    }
}
