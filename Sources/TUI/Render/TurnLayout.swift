import Foundation
import Session

/// Lays out one turn as styled lines for a pane `width` columns wide:
///
///     > user text, wrapped          (role user; "> " then a 2-space hanging indent)
///     ▸ thought for 12.3 s (80%), 412 tokens (90%) — Tab to expand   (collapsed reasoning;
///                                   the shares of the turn's time and tokens once it ended)
///     ▾ thinking… 3.1 s, 45 tokens  (open reasoning header, then:)
///     ┊ reasoning text, wrapped     (role reasoning)
///     [reasoning cut by the think budget]   (who ended the reasoning, when not the model)
///     answer in light Markdown      (role assistant, code role for code)
///     [stopped]                     (when cancelled; errors in the error role)
///
/// The reasoning header exists when the turn reasons (mode on) or has reasoning text;
/// it is one line, cut with an ellipsis.
enum TurnLayout {
    /// `inline` false: the reasoning is shown in the side pane, here only its header.
    /// `foldKey` names the key that folds reasoning in the header's hint (nil: no hint).
    static func lines(_ t: Turn, width: Int, glyphs: Glyphs, now: Double,
                      cache: LayoutCache?, inline: Bool = true, foldKey: String? = "Tab") -> [StyledLine] {
        var out = userLines(t, width: width, glyphs: glyphs, cache: cache)
        if t.mode == .on || !t.reasoning.isEmpty {
            if !(t.finished != nil && t.reasoning.isEmpty) {
                out.append(header(t, width: width, glyphs: glyphs, now: now, inline: inline, foldKey: foldKey))
                if inline && !t.collapsed && !t.reasoning.isEmpty {
                    out += cached(cache, t, part: 1, width: width) {
                        reasoningLines(t.reasoning, width: width, glyphs: glyphs)
                    }
                }
            }
            // Also when the user ended the reasoning before it had any text.
            if let end = reasoningEnd(t) {
                out.append(Wrap.styled(truncate("[\(end.mark)]", width: width, glyphs: glyphs), Style(.reasoning, .dim)))
            }
        }
        if !t.answer.isEmpty {
            out += cached(cache, t, part: 2, width: width) {
                Markdown.layout(CharWidth.layoutText(t.answer), width: width,
                                base: Style(.assistant), glyphs: glyphs)
            }
        }
        if let e = t.error {
            out += Wrap.paragraph(Wrap.styled("[error: \(CharWidth.layoutText(e))]", Style(.error)),
                                  width: width)
        } else if t.finished == .cancelled {
            out.append(Wrap.styled("[stopped]", Style(.reasoning, .dim)))
        } else if t.finished == .length {
            out.append(Wrap.styled("[stopped at the token limit]", Style(.reasoning, .dim)))
        }
        return out
    }

    /// Part `part` of `t` laid out at `width`, from the cache while the turn's `version`
    /// (for the user's text, which never changes: `version` 0) is the one it was made for.
    private static func cached(_ cache: LayoutCache?, _ t: Turn, part: Int, width: Int, version: Int? = nil,
                               _ make: () -> [StyledLine]) -> [StyledLine] {
        guard let cache else { return make() }
        let key = LayoutCache.Key(turn: t.id, part: part, width: width)
        let version = version ?? t.version
        if let hit = cache.lines(key, version: version) { return hit }
        let v = make()
        cache.store(key, version: version, v)
        return v
    }

    static func userLines(_ t: Turn, width: Int, glyphs: Glyphs, cache: LayoutCache?) -> [StyledLine] {
        // A megabyte pasted as one message is laid out once, not again on each change of
        // its reply (a "too long" error, every streamed token).
        cached(cache, t, part: 0, width: width, version: 0) {
            let style = Style(.user)
            var out: [StyledLine] = []
            let indent = Wrap.styled("  ", style)
            for (i, para) in CharWidth.layoutText(t.user)
                .split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                out += Wrap.paragraph(Wrap.styled(String(para), style), width: width,
                                      first: i == 0 ? Wrap.styled("> ", Style(.user, .bold)) : indent,
                                      rest: indent)
            }
            return out
        }
    }

    /// The reasoning text of `t` laid out (memoized), for the side pane.
    static func reasoningBody(_ t: Turn, width: Int, glyphs: Glyphs, cache: LayoutCache?) -> [StyledLine] {
        cached(cache, t, part: 1, width: width) { reasoningLines(t.reasoning, width: width, glyphs: glyphs) }
    }

    static func reasoningLines(_ text: String, width: Int, glyphs: Glyphs) -> [StyledLine] {
        let style = Style(.reasoning)
        let gutter = Wrap.styled(glyphs.gutter + " ", Style(.reasoning, .dim))
        var out: [StyledLine] = []
        for para in CharWidth.layoutText(text).split(separator: "\n", omittingEmptySubsequences: false) {
            out += Wrap.paragraph(Wrap.styled(String(para), style), width: width,
                                  first: gutter, rest: gutter)
        }
        // A reasoning trace usually starts and ends with a newline: no empty edges.
        while out.first.map({ $0.count <= gutter.count }) == true { out.removeFirst() }
        while out.last.map({ $0.count <= gutter.count }) == true { out.removeLast() }
        return out
    }

    /// Who ended the turn's reasoning, when the model did not.
    static func reasoningEnd(_ t: Turn) -> ReasoningEnd? {
        t.reasoningEnd ?? (t.stats?.budgetApplied == true ? .budget : nil)
    }

    /// Seconds spent reasoning: once the turn ended, from its stats (`ThinkingShare`); while
    /// it runs, from the stats when they have both first-token times, else measured by
    /// the UI clock.
    static func thoughtSeconds(_ t: Turn, now: Double) -> Double {
        if t.finished != nil, let s = t.stats, s.reasoningSeconds != nil { return ThinkingShare(s).thinkingSeconds }
        if let s = t.stats, let a = s.timeToFirstAnswerToken, let f = s.timeToFirstToken {
            return max(0, a - f)
        }
        let start = t.reasoningStartedAt ?? t.startedAt ?? now
        let end = t.answerStartedAt ?? t.finishedAt ?? now
        return max(0, end - start)
    }

    /// The one-line reasoning header.
    static func header(_ t: Turn, width: Int, glyphs: Glyphs, now: Double,
                       inline: Bool = true, foldKey: String? = "Tab") -> StyledLine {
        let done = !t.answer.isEmpty || t.finished != nil
        // A finished turn: the shares of its time and generated tokens the thinking took.
        let share = t.finished != nil ? t.stats.map(ThinkingShare.init) : nil
        func pct(_ x: Double?) -> String { x.map { " (\(ThinkingShare.percent($0)))" } ?? "" }
        let thought = thoughtSeconds(t, now: now)
        let secs = String(format: "%.1f s", thought)
            + pct(share.flatMap { $0.totalSeconds > 0 ? min(1, thought / $0.totalSeconds) : nil })
        var tokens = t.stats.map { ", \($0.reasoningTokens) token\($0.reasoningTokens == 1 ? "" : "s")" } ?? ""
        tokens += pct(share?.thinkingTokenShare)
        let mark = t.collapsed || !inline ? glyphs.collapsed : glyphs.expanded
        let hint = !inline ? "" : foldKey.map { key in
            t.collapsed ? " \(glyphs.dash) \(key) to expand" : (done ? " \(glyphs.dash) \(key) to collapse" : "")
        } ?? ""
        let what = done ? "thought for \(secs)\(tokens)" : "thinking\(glyphs.ellipsis) \(secs)\(tokens)"
        return Wrap.styled(truncate("\(mark) \(what)\(hint)", width: width, glyphs: glyphs),
                           Style(.reasoning, .dim))
    }

    /// `s` cut to `width` columns, ending in an ellipsis (no space before it) when cut.
    static func truncate(_ s: String, width: Int, glyphs: Glyphs) -> String {
        if CharWidth.of(s) <= width { return s }
        let ell = CharWidth.of(glyphs.ellipsis)
        var out = "", w = 0
        for ch in s {
            let cw = CharWidth.of(ch)
            if w + cw + ell > width { break }
            out.append(ch); w += cw
        }
        while out.last == " " { out.removeLast() }
        return w + ell <= width ? out + glyphs.ellipsis : out
    }
}
