import Foundation
import CShims

/// Runs `body` on a dedicated thread that owns ncurses for the whole run (ncurses is not
/// thread-safe, and the cooperative pool must never block on the keyboard); resumes when
/// it returns or throws. Throws `TUIError` at once when stdin or stdout is not a
/// terminal (`what` names the screen in that message). Shared by the chat and replay.
func runOnCursesThread(name: String, what: String, _ body: @escaping @Sendable () throws -> Void) async throws {
    guard isatty(0) == 1, isatty(1) == 1 else {
        throw TUIError("the full-screen \(what) needs a terminal on stdin and stdout")
    }
    try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, Error>) in
        let thread = Thread {
            do {
                try body()
                cont.resume()
            } catch {
                cont.resume(throwing: error)
            }
        }
        thread.stackSize = 8 << 20
        thread.name = name
        thread.start()
    }
}

/// What starting curses gives a screen: the painter for the chosen theme, whether the
/// locale is UTF-8, and the theme's load error as a notice (the fallback theme is used).
/// The caller must `defer { ps_restore_terminal() }` right after this returns.
struct CursesStart {
    let painter: Painter
    let utf8: Bool
    let themeNotice: Notice?

    init(config: TUIConfig) throws {
        utf8 = ps_setlocale_utf8() == 1
        guard ps_start(config.mouse ? 1 : 0) == 0 else {
            throw TUIError("cannot start the terminal interface (is $TERM set and known?)")
        }
        let noColor = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let theme: Theme
        switch ThemeLoader.load(config.theme, userDirectory: config.themeDirectory) {
        case .success(let t): theme = t; themeNotice = nil
        case .failure(let e): theme = .fallback; themeNotice = Notice(text: e.description, isError: true)
        }
        painter = Painter(theme: theme, colors: Int(ps_colors()), noColor: noColor)
    }
}
