import Foundation
import Session

/// The stats bar: segments joined by a separator. Two rows when the geometry has them:
///
///     THINKING │ think 37/64 │ model Q4_K_M │ 21.4 tok/s pp 310 tok/s │ ttft 0.42s answer 3.10s
///     tokens r 412 a 80 p 30 │ ctx [██░░░░░░] 512/4096 │ mem 1.2G kv 64M │ temp 0.6 … │ 2 threads
///
/// A model on a server shows the server's URL in place of the memory and the threads.
/// While a turn with a think budget or minimum reasons, "think" says how many reasoning
/// tokens it has used of them (`think 37/64`, `think 12 min 32`).
///
/// With one row: mode, speed, context. When a row is too narrow, a long model name is
/// shortened with an ellipsis first, then segments are left out lowest priority first
/// (the sampler, the thread count and the model before the timings and the context);
/// the mode is always there.
enum StatsBar {
    /// One segment: its text, how long it stays when space runs out (higher stays
    /// longer), and for the model a shorter form that fits a given width.
    struct Segment {
        let text: String
        let priority: Int
        /// The text in at most the given columns (not below `minWidth`); nil = fixed.
        var shorten: ((Int) -> String)? = nil
        var minWidth: Int { shorten == nil ? CharWidth.of(text) : min(CharWidth.of(text), 16) }
    }

    static func rows(_ s: UIState, count: Int) -> [[Segment]] {
        let mode = Segment(text: s.mode == .on ? "THINKING" : "DIRECT", priority: .max)
        func seg(_ t: String?, _ p: Int) -> Segment? { t.map { Segment(text: $0, priority: p) } }
        if count < 2 { return [[mode] + [seg(think(s), 3), seg(speed(s), 2), seg(context(s), 1)].compactMap { $0 }] }
        return [
            [mode] + [seg(think(s), 4), model(s), seg(speed(s), 3), seg(latency(s), 2)].compactMap { $0 },
            [seg(tokens(s), 2), seg(context(s), 4), seg(s.status.server.map { "server " + $0 } ?? memory(s), 3),
             seg(sampler(s), 0), seg(threads(s), 1)]
                .compactMap { $0 },
        ]
    }

    /// "name Q4_K_M"; shortened, the name loses its end to an ellipsis and the
    /// quantization stays.
    static func model(_ s: UIState) -> Segment? {
        let name = s.status.modelName, quant = s.status.quantization
        guard !name.isEmpty else { return nil }
        let suffix = quant.isEmpty ? "" : " " + quant
        let glyphs = s.glyphs
        return Segment(text: name + suffix, priority: 1) { width in
            let room = width - CharWidth.of(suffix)
            if room < CharWidth.of(glyphs.ellipsis) + 1 {
                return TurnLayout.truncate(name + suffix, width: width, glyphs: glyphs)
            }
            return TurnLayout.truncate(name, width: room, glyphs: glyphs) + suffix
        }
    }

    /// Joins `segments` into one line of at most `width` columns: segments are left out
    /// lowest priority first (one of priority `.max` never) until the rest fit with a
    /// shortened model, then a shortened segment takes the room left; what is left is
    /// cut if it must be.
    static func line(_ segments: [Segment], width: Int, glyphs: Glyphs) -> String {
        guard !segments.isEmpty else { return "" }
        let sep = " \(glyphs.separator) "
        var kept = Array(segments.indices)
        func needed(_ idx: [Int]) -> Int {
            1 + idx.map { segments[$0].minWidth }.reduce(0, +) + CharWidth.of(sep) * max(0, idx.count - 1)
        }
        while needed(kept) > width && kept.count > 1,
              let drop = kept.filter({ segments[$0].priority < .max })
                  .min(by: { segments[$0].priority < segments[$1].priority }) {
            kept.removeAll { $0 == drop }
        }
        if needed(kept) > width {
            let whole = " " + kept.map { segments[$0].text }.joined(separator: sep)
            return TurnLayout.truncate(whole, width: width, glyphs: glyphs)
        }
        // Room beyond the minimum widths goes to the shortened segments, in order.
        var spare = width - needed(kept)
        let texts = kept.map { i -> String in
            let sg = segments[i]
            guard let shorten = sg.shorten, CharWidth.of(sg.text) > sg.minWidth else { return sg.text }
            let w = min(CharWidth.of(sg.text), sg.minWidth + spare)
            spare -= w - sg.minWidth
            return w >= CharWidth.of(sg.text) ? sg.text : shorten(w)
        }
        return " " + texts.joined(separator: sep)
    }

    static func speed(_ s: UIState) -> String? {
        if s.generating, let p = s.prefill, p.total > 0, p.done < p.total {
            return prefill(p, fallbackRate: s.liveStats?.prefillTokensPerSecond, glyphs: s.glyphs)
        }
        guard let st = s.liveStats else { return nil }
        var parts: [String] = []
        if let d = st.decodeTokensPerSecond { parts.append("\(rate(d)) tok/s") }
        if let d = st.draftedTokens, d > 0 { parts.append("spec \(Int((100 * Double(st.acceptedDrafts ?? 0) / Double(d)).rounded()))%") }
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

    /// "think 37/64" (used of the budget), "think 12 min 32" (of a minimum), both
    /// "think 37/64 min 32": while the running turn reasons and has either.
    static func think(_ s: UIState) -> String? {
        guard s.generating, let st = s.liveStats, st.thinkBudget != nil || st.thinkMin != nil,
              let t = s.turns.last, t.answer.isEmpty, t.reasoningEnd == nil else { return nil }
        return "think \(st.reasoningTokens)" + (st.thinkBudget.map { "/\($0)" } ?? "")
            + (st.thinkMin.map { " min \($0)" } ?? "")
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
    /// Bytes in binary units with one decimal below 10 ("1.2G", "64M", "512K").
    static func bytes(_ n: Int) -> String {
        let units = ["B", "K", "M", "G", "T"]
        var v = Double(n), u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return (v < 10 && u > 0 ? fmt1(v) : String(Int(v.rounded()))) + units[u]
    }
}
