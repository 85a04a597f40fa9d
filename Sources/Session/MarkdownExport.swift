import Foundation

/// A readable Markdown transcript of a session: the user's messages quoted, the answers
/// as written, the reasoning in collapsible `<details>` blocks (HTML-escaped, so text
/// like `</details>` inside it cannot end the block early). The settings that shaped the
/// turns (system prompt, sampler, …) are listed above the turn where they changed
/// (`TurnSettingChanges`), not once for the whole session: they can change mid-session.
public enum MarkdownExport {
    public static func render(_ doc: SessionDocument) -> String {
        var out = "# Ponder session\n\n"
        out += "- Started: \(dateString(doc.created))\n"
        if let m = doc.model { out += "- Model: `\(m.fileName)` (\(m.size) bytes, \(m.headerHash))\n" }
        out += "- Chat format: \(doc.chatFormat)\n"
        for n in doc.notices { out += "- Notice: \(oneLine(n))\n" }
        for (t, changes) in zip(doc.turns, TurnSettingChanges.lines(doc)) {
            out += "\n## Turn \(t.index + 1) · thinking \(t.mode.rawValue)\n\n"
            if !changes.isEmpty { out += changes.map { "- " + $0 + "\n" }.joined() + "\n" }
            out += "**You:**\n\n" + quote(t.user) + "\n\n"
            if !t.reasoning.isEmpty {
                out += "<details>\n<summary>Reasoning (\(t.stats.reasoningTokens) tokens)</summary>\n\n"
                out += escapeHTML(t.reasoning) + "\n\n</details>\n\n"
            }
            if let end = t.reasoningEnd { out += "*\(end.mark.prefix(1).uppercased() + end.mark.dropFirst()).*\n\n" }
            out += "**Assistant:**\n\n" + (t.answer.isEmpty ? "*(no answer)*" : t.answer) + "\n\n"
            switch t.stopReason {
            case .cancelled: out += "*Interrupted: cancelled by the user.*\n\n"
            case .length: out += "*Stopped: length limit reached.*\n\n"
            case .error: out += "*Stopped by an error\(t.note.map { ": " + oneLine($0) } ?? "").*\n\n"
            case .endOfTurn: break
            }
            out += "<sub>seed \(t.seed) · \(t.stats.promptTokens) prompt + "
                + "\(t.stats.reasoningTokens) reasoning + \(t.stats.answerTokens) answer tokens"
            if let r = t.stats.decodeTokensPerSecond { out += String(format: " · %.1f tokens/s", r) }
            out += "</sub>\n"
        }
        return out
    }

    static func quote(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? ">" : "> " + $0 }
            .joined(separator: "\n")
    }

    static func escapeHTML(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    static func dateString(_ t: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return f.string(from: Date(timeIntervalSince1970: t))
    }
}
