import ArgumentParser
import Chat
import Foundation
import Session

/// `ponder sessions`: the journals and saved sessions in the sessions folder.
struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List the journals and saved sessions, or remove old journals.",
        discussion: """
            Lists every session in the sessions folder ($XDG_DATA_HOME/ponder/sessions, \
            else ~/.local/share/ponder/sessions), newest first: when it last changed, \
            J for a journal or S for a saved session, the number of turns, the model and \
            the first line of the first message. `ponder chat --resume last` continues \
            the newest one.
            """)

    @Option(help: ArgumentHelp("Remove the journals not changed for more than DAYS days (saved sessions are kept).",
                               valueName: "DAYS"))
    var prune: Double?

    @Flag(help: "Print only the paths, newest first.")
    var paths = false

    func validate() throws {
        if let p = prune, !(p >= 0 && p.isFinite) { throw ValidationError("--prune takes a number of days, 0 or more") }
    }

    func run() async throws {
        if let days = prune {
            let removed: [URL]
            do { removed = try SessionIndex.prune(olderThan: days) } catch { throw CLIError("\(error)") }
            for u in removed { print("removed \(u.path)") }
            print("\(removed.count) journal\(removed.count == 1 ? "" : "s") removed")
            return
        }
        let (sessions, problems) = SessionIndex.list()
        for p in problems { TerminalOutput.warn("warning: \(oneLine(p))") }
        if paths {
            for s in sessions { print(s.url.path) }
            return
        }
        if sessions.isEmpty {
            print("no sessions in \(SessionPaths.sessionsDirectory().path)")
            return
        }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        for s in sessions {
            let date = f.string(from: Date(timeIntervalSince1970: s.modified))
            let model = oneLine(s.model ?? "?")
            let title = oneLine(s.title)
            print("\(date)  \(s.isJournal ? "J" : "S") \(String(s.turns).leftPad(4)) turns  \(model)  \(title.prefix(60))")
            print("    \(oneLine(s.url.path))")
        }
    }
}

private extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

/// Stored text as one line fit for a terminal: `TerminalText`, then newlines and tabs
/// as spaces.
private func oneLine(_ s: String) -> String {
    TerminalText.sanitize(s).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
}
