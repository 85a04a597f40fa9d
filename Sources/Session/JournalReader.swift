import Foundation

/// Rebuilds a session from a journal. Complete turns come from their "end" records; a
/// turn still in flight when the process died is kept with the text journaled so far,
/// marked with stop reason `error` and a note. A torn last line (no newline, or not
/// JSON) is skipped with a warning; a bad line elsewhere is an error.
enum JournalReader {
    static func read(bytes: [UInt8], path: String) throws -> LoadedSession {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        var warnings: [String] = []
        // The text after the last newline is a torn line unless empty.
        let tail = lines.removeLast()
        if !tail.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
            warnings.append("\(path): the last line is torn (\(tail.count) bytes: a write was cut short, by a stopped process or a full disk); skipped it")
        }
        let decoder = JSONDecoder()
        var doc: SessionDocument?
        var inFlight: TurnRecord?
        var lineNumber = 0
        for (i, raw) in lines.enumerated() {
            lineNumber = i + 1
            if raw.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            let line: JournalLine
            do { line = try decoder.decode(JournalLine.self, from: Data(raw)) }
            catch {
                if i == lines.count - 1, tail.isEmpty, doc != nil {
                    warnings.append("\(path): the last line is torn (not valid JSON); skipped it")
                    break
                }
                throw SessionLoadError(path, "line \(lineNumber): \(SessionLoader.describe(error, Data(raw), as: JournalLine.self))")
            }
            func bad(_ what: String) -> SessionLoadError { SessionLoadError(path, "line \(lineNumber): \(what)") }
            guard var d = doc else {
                guard line.k == .header, line.magic == Journal.magicValue else { throw bad("not a ponder journal (no header)") }
                guard let v = line.version, Journal.readableVersions.contains(v) else {
                    throw bad("unsupported journal version \(line.version.map(String.init) ?? "missing") (this ponder reads \(Journal.readableVersions.lowerBound) to \(Journal.readableVersions.upperBound))")
                }
                guard let created = line.created, let format = line.format, let settings = line.settings else {
                    throw bad("header lacks created, format or settings")
                }
                doc = SessionDocument(created: created, model: line.model, chatFormat: format,
                                      settings: settings, turns: [])
                continue
            }
            switch line.k {
            case .header:
                throw bad("a second header")
            case .turn:
                guard let t = line.turn, t.index == d.turns.count else { throw bad("turn start out of order") }
                if inFlight != nil { throw bad("a turn started before the previous one ended") }
                inFlight = t
            case .text:
                guard var t = inFlight, line.index == t.index else { throw bad("text for a turn that is not in flight") }
                t.reasoning += line.r ?? ""
                t.answer += line.a ?? ""
                inFlight = t
            case .notice:
                guard let s = line.text else { throw bad("notice without text") }
                d.notices.append(s)
            case .end:
                guard let t = line.turn, t.index == d.turns.count else { throw bad("turn end out of order") }
                d.turns.append(t)
                inFlight = nil
            case .drop:
                guard inFlight == nil else { throw bad("turns dropped while one is in flight") }
                guard let from = line.index, from >= 0, from < d.turns.count else { throw bad("drop of turns that do not exist") }
                d.turns.removeSubrange(from...)
            }
            doc = d
        }
        guard var d = doc else { throw SessionLoadError(path, "journal has no complete header line") }
        if var t = inFlight {
            t.stopReason = .error
            t.note = "recovered from the journal: the turn was in flight when ponder stopped"
            t.tokens = []; t.tokenTimes = []
            t.stream = []
            if !t.reasoning.isEmpty { t.stream.append(StreamPiece(t: 0, c: .reasoning, text: t.reasoning)) }
            if !t.answer.isEmpty { t.stream.append(StreamPiece(t: 0, c: .answer, text: t.answer)) }
            d.turns.append(t)
            warnings.append("\(path): turn \(t.index + 1) was in flight when ponder stopped; kept the text journaled before that")
        }
        if let problem = SessionLoader.validate(d) { throw SessionLoadError(path, problem) }
        // Journals written before the prompt settings were per turn: the header's applied
        // (a `/system` of such a session was not journaled at all).
        d.fillUnrecordedTurnSettings()
        return LoadedSession(document: d, warnings: warnings, fromJournal: true)
    }
}
