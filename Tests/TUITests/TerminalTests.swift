import Testing
import Foundation
import TestSupport

/// End-to-end runs of the full-screen UI in a real terminal: tmux (Debian package) runs
/// `ponder chat --demo`, which drives the real ncurses runtime with `EchoDriver` — a
/// stand-in for the session that streams canned reasoning and echoes the message (a test
/// double for the engine; the model-backed run is the chat command's own test).
/// Keys go in with `send-keys`, the screen comes out with `capture-pane`.
@Suite(.serialized) struct TerminalTests {
    struct TmuxFailed: Error { let status: Int32 }

    /// One private tmux server (its own socket) with one session. The server dies with
    /// its `Tmux`: `kill-server`, then SIGKILL to the server's pid if that did not end it
    /// (a loaded machine can time the client out); a `Tmux` never released is swept when
    /// the test process exits (`LiveServers`).
    final class Tmux {
        let socket = "ponder-tui-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let dir: URL
        private var serverPid: pid_t?

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent(socket)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }

        /// Runs `script` with sh in a new `width` × `height` window, with state and config
        /// directories of its own.
        func start(width: Int, height: Int, script: String) throws {
            let scriptURL = dir.appendingPathComponent("run.sh")
            try script.write(to: scriptURL, atomically: true, encoding: .utf8)
            // The first command forks the tmux server, which lives on and would hold any
            // inherited descriptor (a test's pipe, Foundation's process monitor) open:
            // spawn it with /dev/null for stdio, every other descriptor closed, and reap
            // the client with waitpid.
            let status = spawnClosingDescriptors("/usr/bin/tmux", ["tmux", "-L", socket, "new-session", "-d",
                "-s", "t", "-x", "\(width)", "-y", "\(height)",
                "env XDG_STATE_HOME=\(dir.path)/state XDG_CONFIG_HOME=\(dir.path)/config sh \(scriptURL.path)"])
            guard status == 0 else { throw TmuxFailed(status: status) }
            serverPid = (try? run(["display-message", "-p", "#{pid}"]))
                .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            LiveServers.add(socket)
        }

        /// Starts the built `ponder` with `arguments` (shell words), its data under
        /// `dir/data` (journals in `sessions`); its exit status lands in the file `exit`,
        /// and the pane stays open a minute after it. `environment`: assignments put before it.
        func startPonder(width: Int, height: Int, environment: String = "", _ arguments: String) throws {
            let bin = try TestEnv.ponderBinary()
            try start(width: width, height: height, script: """
                \(environment) XDG_DATA_HOME=\(dir.path)/data "\(bin.path)" \(arguments)
                echo $? > \(dir.path)/exit.tmp; mv \(dir.path)/exit.tmp \(dir.path)/exit
                sleep 60
                """)
        }

        /// The journals of `startPonder`'s chat.
        var sessions: String { dir.path + "/data/ponder/sessions" }
        private(set) var turnsSent = 0

        /// Types `text` and Enter as the next turn; true once the journals hold that many
        /// ended turns (the end is on disk before the screen hears of it).
        func sendTurn(_ text: String) throws -> Bool {
            try type(text); try keys("Enter")
            turnsSent += 1
            return JournalWatch.waitForEnds(turnsSent, in: sessions)
        }

        deinit {
            _ = try? run(["kill-server"])
            if let pid = serverPid { LiveServers.killIfTmux(pid) }
            LiveServers.remove(socket)
            try? FileManager.default.removeItem(at: dir)
        }

        @discardableResult
        func run(_ args: [String]) throws -> String {
            let r = try runProcess(URL(fileURLWithPath: "/usr/bin/tmux"), ["-L", socket] + args, timeout: 10)
            return r.stdoutText
        }
        func keys(_ k: String...) throws { try run(["send-keys", "-t", "t"] + k) }
        func type(_ text: String) throws { try run(["send-keys", "-t", "t", "-l", text]) }
        /// The visible rows, one string each (capture-pane ends every row with a newline).
        func screen() throws -> [String] {
            var rows = try run(["capture-pane", "-p", "-t", "t"])
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if rows.last == "" { rows.removeLast() }
            return rows
        }
        func resize(_ w: Int, _ h: Int) throws {
            try run(["resize-window", "-t", "t", "-x", "\(w)", "-y", "\(h)"])
        }
        /// Waits up to `timeout` seconds for the screen to satisfy `ok`; returns the last screen.
        @discardableResult
        func wait(_ what: String, timeout: Double = 20, _ ok: ([String]) -> Bool) throws -> [String] {
            let end = Date().addingTimeInterval(timeout)
            var last: [String] = []
            while Date() < end {
                last = try screen()
                if ok(last) { return last }
                Thread.sleep(forTimeInterval: 0.05)
            }
            Issue.record("timed out waiting for \(what); screen:\n\(last.joined(separator: "\n"))")
            return last
        }
        func wait(for text: String, timeout: Double = 20) throws {
            try wait("\"\(text)\"", timeout: timeout) { $0.contains { $0.contains(text) } }
        }
        /// Waits until the demo's reply to `message` is complete: its code block, which
        /// echoes the message, is closed (the turn ends with that last piece).
        func waitForReply(_ message: String) throws {
            try wait("the reply to \(message)") { s in
                s.indices.dropLast().contains { s[$0] == message && s[$0 + 1] == "```" }
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        func file(_ name: String) -> String? {
            try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        }
        func waitForFile(_ name: String, timeout: Double = 10) -> String? {
            let end = Date().addingTimeInterval(timeout)
            while Date() < end {
                if let s = file(name), !s.isEmpty { return s }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return nil
        }
    }

    /// A script that records `stty -a` before and after ponder, and ponder's exit status.
    /// `demoDelay`: seconds between the demo's pieces (its default is 0.05 s).
    func script(_ binary: URL, _ dir: String, demoDelay: Double? = nil) -> String {
        let delay = demoDelay.map { " --demo-delay \($0)" } ?? ""
        return """
        stty -a > \(dir)/before
        sh -c 'echo $$ > \(dir)/pid; exec "\(binary.path)" chat --demo\(delay)'
        echo $? > \(dir)/exit.tmp; mv \(dir)/exit.tmp \(dir)/exit
        stty -a > \(dir)/after
        sleep 60
        """
    }

    @Test func chatKeysResizeAndQuitRestoreTheTerminal() throws {
        let bin = try TestEnv.ponderBinary()
        let t = try Tmux()
        // Three times the demo's usual pace: each turn that a key must find running (Esc,
        // a resize) then streams for over 10 s. At the usual pace one CI run on a loaded
        // machine saw a turn end before the tmux resize and Esc arrived.
        try t.start(width: 80, height: 24, script: script(bin, t.dir.path, demoDelay: 0.15))

        try t.wait(for: " THINKING │ echo (demo) none")
        #expect(try t.screen().last(where: { !$0.isEmpty }) == ">")

        // A message streams reasoning, then the answer folds it to one line.
        try t.type("hello 日本語 tmux"); try t.keys("Enter")
        try t.wait(for: "thinking…")
        try t.wait(for: "— Tab to expand")
        try t.wait(for: "Echo (demo, no model): hello 日本語 tmux")
        try t.waitForReply("hello 日本語 tmux")

        // Tab unfolds the reasoning of the last turn.
        try t.keys("Tab")
        try t.wait(for: "┊ The user wrote 14 characters.")

        // Ctrl-T shows DIRECT at once.
        try t.keys("C-t")
        try t.wait(for: " DIRECT │")
        try t.keys("C-t")
        try t.wait(for: " THINKING │")

        // Esc stops a generation while it reasons.
        try t.type("stop me"); try t.keys("Enter")
        try t.wait(for: "thinking…")
        try t.keys("Escape")
        try t.wait(for: "[stopped]")

        // Esc sent in the same instant as a resize still stops the generation (ncurses
        // reports the resize on the read right after the Esc).
        // (A long message: the demo echoes it word by word, so the turn outlasts a slow
        // tmux on a loaded machine by seconds.)
        for (n, size) in [(60, 20), (80, 24), (70, 22), (80, 24)].enumerated() {
            let message = "resize and stop \(n) " + String(repeating: "word ", count: 40)
            try t.type(message); try t.keys("Enter")
            try t.wait(for: "thinking…")
            try t.resize(size.0, size.1)
            try t.keys("Escape")
            try t.wait("the stop after a resize to \(size)") { s in
                guard s.count == size.1, let i = s.lastIndex(where: { $0.hasPrefix("> resize and stop \(n) word") })
                else { return false }
                return s[i...].contains("[stopped]")
            }
        }

        // Resize while streaming, down to too small and back.
        try t.type("resize while streaming"); try t.keys("Enter")
        try t.wait(for: "thinking…")
        try t.resize(40, 10)
        let small = try t.wait("40 columns") { s in s.count == 10 && s.last == ">" }
        #expect(small.allSatisfy { $0.count <= 40 })
        try t.resize(12, 3)
        try t.wait(for: "terminal too")
        try t.resize(80, 24)
        try t.waitForReply("resize while streaming")
        try t.wait("input row at the bottom") { $0.count == 24 && $0[23] == ">" }

        // Ctrl-S asks the session to save (the demo says where it would).
        try t.keys("C-s")
        try t.wait(for: "demo: nothing saved (default path)")

        // A bracketed paste (tmux paste-buffer -p) arrives whole, newlines kept.
        try t.run(["set-buffer", "pasted one\npasted two"])
        try t.run(["paste-buffer", "-p", "-t", "t"])
        try t.wait("the paste in the input line") { $0.last == "> pasted one↵pasted two" }
        try t.keys("C-u")

        // Ctrl-C once warns, twice quits with status 0 and the terminal as it was.
        try t.keys("C-c")
        try t.wait(for: "press Ctrl-C again to quit")
        try t.keys("C-c")
        let status = t.waitForFile("exit")
        #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        _ = t.waitForFile("after")
        #expect(t.file("before") != nil && t.file("before") == t.file("after"))
        // The input history was written.
        let history = t.file("state/ponder/history") ?? ""
        #expect(history.hasPrefix("# ponder history v1\nhello 日本語 tmux\nstop me\n"))
    }

    /// Ctrl-G hands the draft to $EDITOR (here a script that appends to the file) and
    /// takes the text back into the input line; an editor that fails keeps the draft.
    @Test func ctrlGComposesInTheEditor() throws {
        let bin = try TestEnv.ponderBinary()
        let t = try Tmux()
        let dir = t.dir.path
        let editor = t.dir.appendingPathComponent("editor.sh")
        try "#!/bin/sh\nprintf ' and more from the editor' >> \"$1\"\n".write(to: editor, atomically: true, encoding: .utf8)
        chmod(editor.path, 0o755)
        try t.start(width: 80, height: 24, script: """
            unset VISUAL
            EDITOR=\(editor.path) "\(bin.path)" chat --demo
            echo $? > \(dir)/exit.tmp; mv \(dir)/exit.tmp \(dir)/exit
            sleep 60
            """)
        try t.wait(for: " THINKING │")
        try t.type("draft"); try t.keys("C-g")
        try t.wait("the composed text") { $0.last == "> draft and more from the editor" }
        try t.wait(for: " THINKING │")                      // the screen is back
        try t.keys("Enter")
        try t.wait(for: "Echo (demo, no model): draft and more from the editor")
        try t.keys("C-d")
        #expect(t.waitForFile("exit")?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func sigtermRestoresTheTerminal() throws {
        let bin = try TestEnv.ponderBinary()
        let t = try Tmux()
        try t.start(width: 60, height: 12, script: script(bin, t.dir.path))
        try t.wait(for: " THINKING │")
        try t.type("x"); try t.keys("Enter")
        try t.wait(for: "thinking…")
        guard let pidText = t.file("pid"), let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            Issue.record("no pid file"); return
        }
        kill(pid, SIGTERM)
        let status = t.waitForFile("exit")
        #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "143")   // 128 + SIGTERM
        _ = t.waitForFile("after")
        #expect(t.file("before") != nil && t.file("before") == t.file("after"))
    }
}

/// posix_spawn `path` with `argv`, stdio on /dev/null and all other descriptors closed;
/// waits for it and returns its exit status (-1 if it could not start).
func spawnClosingDescriptors(_ path: String, _ argv: [String]) -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for fd: Int32 in 0...2 {
        posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
    }
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    for name in open { if let fd = Int32(name), fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) } }
    var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for p in cargs { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, nil, &cargs, environ)
    guard rc == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
}
