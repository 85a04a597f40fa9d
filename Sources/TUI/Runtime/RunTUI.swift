import Foundation
import CShims
import Session

/// Runs the full-screen chat on the terminal until the user quits.
/// Throws `TUIError` when stdin/stdout is not a terminal or curses cannot start (the
/// caller then falls back to the plain line mode). The terminal is restored on every
/// way out: return, throw, signals (SIGINT, SIGTERM, SIGHUP, fatal ones) and `exit`.
public func runTUI(driver: some ChatDriver, config: TUIConfig) async throws {
    try await runOnCursesThread(name: "ponder-ui", what: "chat") {
        try UILoop(driver: driver, config: config).run()
    }
}

/// The UI thread: reads keys, drains the inbox, runs `update`, performs effects,
/// renders and paints.
final class UILoop<D: ChatDriver> {
    let driver: D
    let config: TUIConfig
    let inbox = Inbox()

    init(driver: D, config: TUIConfig) {
        self.driver = driver
        self.config = config
    }

    func run() throws {
        let start = try CursesStart(config: config)
        defer { ps_restore_terminal() }
        let utf8 = start.utf8, painter = start.painter
        var startNotice = start.themeNotice

        var state = UIState()
        state.glyphs = utf8 ? .unicode : .ascii
        state.mode = config.initialMode
        state.layout = config.layout
        if let h = config.historyFile { state.input.history = InputHistory.load(h) }
        if !utf8 {
            startNotice = Notice(text: "the locale is not UTF-8: ASCII drawing, other text shown as ?",
                                 isError: true)
        }
        if let f = config.keysFile {
            let (keys, warnings) = KeyBindings.load(f)
            state.keys = keys
            if let w = warnings.first, startNotice == nil {
                startNotice = Notice(text: warnings.count == 1 ? w : "\(w) (and \(warnings.count - 1) more)",
                                     isError: true)
            }
        }
        state.notice = startNotice
        state.now = monotonicSeconds()
        _ = update(&state, .resize(width: Int(ps_cols()), height: Int(ps_lines())))

        // The driver's side: events in, and one serial queue of jobs out.
        let inbox = self.inbox
        let driver = self.driver
        let eventsTask = Task.detached {
            for await ev in driver.events {
                inbox.post(.session(ev, time: monotonicSeconds()))
                if case .turnFinished = ev { inbox.post(.status(await driver.status())) }
            }
        }
        let (jobs, jobQueue) = AsyncStream.makeStream(of: Effect.self)
        let jobsTask = Task.detached {
            inbox.post(.status(await driver.status()))
            let resumed = await driver.perform(.showTranscript)
            if case .transcript = resumed { inbox.post(.commandResult(.showTranscript, resumed)) }
            for await job in jobs {
                switch job {
                case .send(let text, let mode): await driver.send(text, mode: mode)
                case .driver(let c):
                    let r = await driver.perform(c)
                    inbox.post(.commandResult(c, r))
                    inbox.post(.status(await driver.status()))
                default: break
                }
            }
        }
        defer {
            jobQueue.finish()
            jobsTask.cancel()
            eventsTask.cancel()
        }

        var reader = KeyReader(source: CursesKeySource())
        var dirty = true
        var lastTick = state.now
        var lastRSS = 0.0
        while !state.quitting {
            func apply(_ m: UIMessage) {
                let fx = update(&state, m)
                dirty = true
                for e in fx { perform(e, &state, painter, jobQueue) }
            }
            switch TerminalHold.check() {
            case .background:
                // Session events still arrive; the screen waits for the foreground.
                for m in inbox.drain() { apply(m) }
                usleep(50_000)
                continue
            case .regained:
                painter.invalidate()
                apply(.resize(width: Int(ps_cols()), height: Int(ps_lines())))
            case .foreground:
                break
            }
            // Keys: wait a little for the first, then take everything already typed.
            var wait: Int32 = dirty ? 0 : 30
            var taken = 0
            while taken < 4096, let input = reader.next(timeoutMs: wait) {
                wait = 0; taken += 1
                switch input {
                case .resize: apply(.resize(width: Int(ps_cols()), height: Int(ps_lines())))
                case .key(let k): apply(.key(k))
                }
                if state.quitting || ps_foreground() == 0 { break }
            }
            for m in inbox.drain() { apply(m) }
            let now = monotonicSeconds()
            if now - lastTick >= (state.generating ? 0.1 : 1.0) {
                var rss: Int? = nil
                if now - lastRSS >= 1 { rss = residentBytes(); lastRSS = now }
                apply(.tick(time: now, rssBytes: rss))
                lastTick = now
            }
            if dirty && !state.quitting {
                painter.paint(render(state))
                dirty = false
            }
        }
        if state.generating { Task.detached { await driver.cancel() } }
    }

    /// Carries out one effect on the UI thread (terminal work) or hands it to the driver.
    private func perform(_ e: Effect, _ state: inout UIState, _ painter: Painter,
                         _ jobs: AsyncStream<Effect>.Continuation) {
        switch e {
        case .send, .driver:
            jobs.yield(e)
        case .cancel:
            let d = driver
            Task.detached { await d.cancel() }   // not queued: it must not wait behind a job
        case .copy(let text):
            let seq = osc52(text)
            seq.withCString { ps_write_tty($0, strlen($0)) }
            state.notice = Notice(text: "copied \(text.count) characters (OSC 52)", isError: false)
        case .loadTheme(let name):
            switch ThemeLoader.load(name, userDirectory: config.themeDirectory) {
            case .success(let t):
                painter.setTheme(t)
                painter.invalidate()
                state.notice = Notice(text: "theme \(name)", isError: false)
            case .failure(let err):
                state.notice = Notice(text: err.description, isError: true)
            }
        case .redraw:
            painter.invalidate()
        case .suspend:
            ps_suspend()   // the loop's TerminalHold.check repaints on the way back
        case .compose(let text):
            switch composeInEditor(text) {
            case .success(let t): inbox.post(.composed(t))
            case .failure(let e): state.notice = Notice(text: e.description, isError: true)
            }
        case .appendHistory(let line):
            if let h = config.historyFile { InputHistory.append(line, to: h) }
        case .quit:
            break
        }
    }
}

/// Runs `$VISUAL`, `$EDITOR` or `vi` on a temporary file holding `text`, in the
/// terminal's foreground with the terminal in its original mode, and returns the file's
/// text afterwards.
func composeInEditor(_ text: String) -> Result<String, TUIError> {
    let env = ProcessInfo.processInfo.environment
    let editor = [env["VISUAL"], env["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
    let file = FileManager.default.temporaryDirectory
        .appendingPathComponent("ponder-compose-\(getpid()).md")
    defer { try? FileManager.default.removeItem(at: file) }
    do { try text.write(to: file, atomically: true, encoding: .utf8) } catch {
        return .failure(TUIError("cannot write \(file.path)"))
    }
    // The editor command may carry arguments ("code -w"): the shell splits it.
    let argv = ["sh", "-c", "exec \(editor) \"$1\"", "sh", file.path]
    var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for p in cargs { free(p) } }
    let status = ps_run_foreground("/bin/sh", &cargs)
    guard status >= 0 else { return .failure(TUIError("cannot run \(editor)")) }
    guard status == 0 else {
        return .failure(TUIError("\(editor) exited with status \(status); input kept"))
    }
    guard let data = try? RegularFile.read(file.path, limit: 4 << 20) else {
        return .failure(TUIError("cannot read the composed text back"))
    }
    guard let text = TextInput.decode(data) else { return .failure(TUIError("the composed text is not valid UTF-8")) }
    return .success(text)
}
