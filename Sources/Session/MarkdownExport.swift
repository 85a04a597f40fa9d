import Foundation

/// A readable Markdown transcript of a session: the user's messages quoted, the answers
/// as written, the reasoning in collapsible `<details>` blocks (HTML-escaped, so text
/// like `</details>` inside it cannot end the block early).
public enum MarkdownExport {
    public static func render(_ doc: SessionDocument) -> String {
        var out = "# Ponder session\n\n"
        out += "- Started: \(dateString(doc.created))\n"
        if let m = doc.model { out += "- Model: `\(m.fileName)` (\(m.size) bytes, \(m.headerHash))\n" }
        out += "- Chat format: \(doc.chatFormat)\n"
        if let s = doc.settings.systemPrompt, !s.isEmpty { out += "- System prompt: \(oneLine(s))\n" }
        for n in doc.notices { out += "- Notice: \(oneLine(n))\n" }
        for t in doc.turns {
            out += "\n## Turn \(t.index + 1) · thinking \(t.mode.rawValue)\n\n"
            out += "**You:**\n\n" + quote(t.user) + "\n\n"
            if !t.reasoning.isEmpty {
                out += "<details>\n<summary>Reasoning (\(t.stats.reasoningTokens) tokens)</summary>\n\n"
                out += escapeHTML(t.reasoning) + "\n\n</details>\n\n"
            }
            out += "**Assistant:**\n\n" + (t.answer.isEmpty ? "*(no answer)*" : t.answer) + "\n\n"
            switch t.stopReason {
            case .cancelled: out += "*Interrupted: cancelled by the user.*\n\n"
            case .length: out += "*Stopped: length limit reached.*\n\n"
            case .error: out += "*Stopped by an error\(t.note.map { ": " + oneLine($0) } ?? "").*\n\n"
            case .endOfTurn: break
            }
            out += "<sub>\(samplingLine(t)) · seed \(t.seed) · \(t.stats.promptTokens) prompt + "
                + "\(t.stats.reasoningTokens) reasoning + \(t.stats.answerTokens) answer tokens"
            if let r = t.stats.decodeTokensPerSecond { out += String(format: " · %.1f tokens/s", r) }
            out += "</sub>\n"
        }
        return out
    }

    static func samplingLine(_ t: TurnRecord) -> String {
        let s = t.sampling
        if s.isGreedy { return "greedy" }
        var parts = [String(format: "temperature %g", s.temperature)]
        if s.topK > 0 { parts.append("top-k \(s.topK)") }
        if s.topP < 1 { parts.append(String(format: "top-p %g", s.topP)) }
        if s.minP > 0 { parts.append(String(format: "min-p %g", s.minP)) }
        if s.repetitionPenalty != 1 { parts.append(String(format: "repetition penalty %g", s.repetitionPenalty)) }
        if s.presencePenalty != 0 { parts.append(String(format: "presence penalty %g", s.presencePenalty)) }
        if s.frequencyPenalty != 0 { parts.append(String(format: "frequency penalty %g", s.frequencyPenalty)) }
        return parts.joined(separator: ", ")
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
