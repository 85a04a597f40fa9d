import Foundation
import Testing
import Session
import TestSupport

/// A session file crafted with escape sequences (window title OSC 0, clipboard OSC 52,
/// clear screen, 8-bit CSI/OSC/ST, BEL, NEL, a bidi override) in every text field, shown
/// with `export --markdown` and `replay --plain` on a real pseudo-terminal (util-linux
/// `script`, whose standard output relays the terminal's raw bytes): nothing a terminal
/// acts on reaches it, every field is still shown, and the file is unchanged. To a file or
/// a pipe the same commands keep the text byte for byte.
@Suite struct TerminalInjectionTests {
    /// What a hostile file hides in each field, after a visible marker `name`.
    static func payload(_ name: String) -> String {
        "\(name)-shown \u{1B}]0;PWNED-TITLE\u{07}\u{1B}]52;c;cHduZWQ=\u{1B}\\\u{1B}[2J\u{1B}[31m"
            + "\u{9B}1m\u{9D}0;c1-title\u{9C}\u{07}\u{85}\u{8D}\u{202E}desrever\u{1B}c\r end"
    }

    static let fields = ["user", "reasoning", "answer", "system", "notice", "model", "hash", "note", "user2"]

    static func craftedDocument() -> SessionDocument {
        var settings = SessionSettings()
        settings.systemPrompt = payload("system")
        settings.samplingOn.maxTokens = 24
        settings.samplingOff.maxTokens = 24
        var sampling = SamplingSettings.direct
        sampling.maxTokens = 100
        let t0 = TurnRecord(index: 0, user: payload("user"), mode: .on, sampling: sampling, seed: 1,
                            reasoning: payload("reasoning"), answer: payload("answer"),
                            tokens: [1, 2], tokenTimes: [0.01, 0.02],
                            stream: [StreamPiece(t: 0.01, c: .reasoning, text: payload("reasoning")),
                                     StreamPiece(t: 0.02, c: .answer, text: payload("answer"))])
        let t1 = TurnRecord(index: 1, user: payload("user2"), mode: .off, sampling: sampling, seed: 2,
                            answer: "partial", stopReason: .error,
                            stream: [StreamPiece(t: 0, c: .answer, text: "partial")], note: payload("note"))
        return SessionDocument(created: 1_700_000_000,
                               model: ModelIdentity(fileName: payload("model"), size: 1, headerHash: payload("hash")),
                               chatFormat: "chatml", settings: settings, turns: [t0, t1], notices: [payload("notice")])
    }

    /// Bytes a terminal would act on: C0 but LF, CR (the pty's own CR LF) and tab; DEL;
    /// C1 in UTF-8 (C2 80–9F); bidi embeddings, overrides, isolates (E2 80 AA–AE, E2 81 A6–A9).
    static func activeBytes(_ d: Data) -> [String] {
        let b = [UInt8](d)
        var found: [String] = []
        for i in b.indices {
            let x = b[i]
            if (x < 0x20 && x != 0x0A && x != 0x0D && x != 0x09) || x == 0x7F { found.append("\(x) at \(i)") }
            if x == 0xC2, i + 1 < b.count, (0x80...0x9F).contains(b[i + 1]) { found.append("C1 \(b[i + 1]) at \(i)") }
            if x == 0xE2, i + 2 < b.count,
               (b[i + 1] == 0x80 && (0xAA...0xAE).contains(b[i + 2])) || (b[i + 1] == 0x81 && (0xA6...0xA9).contains(b[i + 2])) {
                found.append("bidi at \(i)")
            }
        }
        return found
    }

    /// `ponder ARGS` on a fresh pseudo-terminal (stdin, stdout and stderr); its raw output.
    /// `input`, when given, is piped to its standard input instead (the plain chat).
    static func onTerminal(_ args: [String], input: String? = nil, environment: [String: String]? = nil,
                           timeout: Double = 60) throws -> ProcessResult {
        let bin = try TestEnv.ponderBinary()
        var command = ([bin.path] + args).map { "'\($0)'" }.joined(separator: " ")
        if let input { command = "printf '%s\\n' '\(input)' | " + command }
        return try runProcess(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"],
                              environment: environment, timeout: timeout)
    }

    static func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-inject-\(UUID())")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    @Test func aHostileSessionShownOnATerminalEmitsNoControls() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("hostile.json")
        try Self.craftedDocument().save(to: file, overwrite: false)
        let before = try Data(contentsOf: file)
        // The harness sees raw bytes: a command that writes an OSC shows it.
        let control = try runProcess(URL(fileURLWithPath: "/usr/bin/script"),
                                     ["-qec", "printf 'a\\033]0;t\\007b'", "/dev/null"], timeout: 30)
        #expect(!Self.activeBytes(control.stdout).isEmpty, "the pty capture does not show raw bytes")

        for args in [["export", file.path, "--markdown"], ["replay", file.path, "--plain", "--speed", "1000"]] {
            let r = try Self.onTerminal(args)
            #expect(r.status == 0 && !r.timedOut, "\(args): \(r.stdoutText)")
            #expect(Self.activeBytes(r.stdout) == [], "\(args)")
            let text = r.stdoutText
            #expect(!text.contains("PWNED-TITLE") && !text.contains("cHduZWQ=") && !text.contains("c1-title"))
            #expect(text.contains("<U+202E>desrever"))
            let expected = args[0] == "export" ? Self.fields : ["user", "reasoning", "answer", "user2", "note"]
            for f in expected { #expect(text.contains("\(f)-shown"), "\(args): field \(f) not shown") }
        }
        #expect(try Data(contentsOf: file) == before, "showing the session changed the file")
    }

    /// The plain chat with its output on a terminal, resuming the hostile session on the
    /// real model: the model-mismatch notice quotes the crafted model name, the crafted
    /// turns are in the prompt; nothing active reaches the terminal. The user's line, with
    /// an OSC and a BEL in it, is journaled exactly as typed.
    @Test func plainChatOnATerminalEmitsNoControlsAndJournalsTheExactLine() throws {
        let model = try TestEnv.smolQ4_1
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("hostile.json")
        try Self.craftedDocument().save(to: file, overwrite: false)
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = dir.path + "/data"
        let line = "Say hi \u{1B}]0;LINE-TITLE\u{07} please"
        let r = try Self.onTerminal(["chat", "--model", model.path, "--resume", file.path, "--think", "off"],
                                    input: line, environment: env, timeout: 240)
        #expect(r.status == 0 && !r.timedOut, "\(r.stdoutText)")
        #expect(Self.activeBytes(r.stdout) == [])
        #expect(r.stdoutText.contains("model-shown"), "no model-mismatch notice: \(r.stdoutText)")
        #expect(!r.stdoutText.contains("PWNED-TITLE"))
        let journals = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/data/ponder/sessions")
        try #require(journals.count == 1)
        let journaled = try SessionLoader.load(URL(fileURLWithPath: dir.path + "/data/ponder/sessions/" + journals[0]))
        #expect(journaled.document.turns.last?.user == line)
    }

    /// The line mode (GNU readline) resuming the hostile session on a real pseudo-terminal
    /// (Python's `pty.fork`: the terminal is the chat's controlling terminal, its standard
    /// input, output and error), quit with Ctrl-D at the prompt. Readline itself writes
    /// escape sequences (bracketed paste on and off around each read), and the line mode
    /// dims the reasoning: the raw bytes may hold those exact sequences and nothing else a
    /// terminal acts on. Every crafted turn is shown, cleaned; the file is unchanged.
    @Test func lineModeResumingOnATerminalEmitsOnlyItsOwnControls() throws {
        let model = try TestEnv.smolQ4_1
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("hostile.json")
        try Self.craftedDocument().save(to: file, overwrite: false)
        let before = try Data(contentsOf: file)
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = dir.path + "/data"
        env["XDG_STATE_HOME"] = dir.path + "/state"
        env["TERM"] = "xterm-256color"
        env["INPUTRC"] = "/dev/null"
        env.removeValue(forKey: "NO_COLOR")   // the dimmed reasoning, as a user sees it
        let r = try Self.onPty([try TestEnv.ponderBinary().path, "chat", "--line", "--model", model.path,
                                "--resume", file.path, "--think", "off", "--no-journal"],
                               environment: env, timeout: 240, waitFor: "model-shown")
        let text = r.stdoutText
        #expect(r.status == 0 && !r.timedOut, "\(r.stderrText)\n\(text.debugDescription)")
        #expect(text.contains("Ponder line mode"), "\(text.debugDescription)")
        let own = ["\u{1B}[?2004h", "\u{1B}[?2004l", "\u{1B}[2m", "\u{1B}[22m"]
        var rest = text
        for s in own { rest = rest.replacingOccurrences(of: s, with: "") }
        #expect(Self.activeBytes(Data(rest.utf8)) == [], "\(text.debugDescription)")
        #expect(!text.contains("PWNED-TITLE") && !text.contains("cHduZWQ=") && !text.contains("c1-title"))
        #expect(text.contains("<U+202E>desrever"))
        for f in ["user", "reasoning", "answer", "user2", "model"] {
            #expect(text.contains("\(f)-shown"), "field \(f) not shown: \(text.debugDescription)")
        }
        #expect(try Data(contentsOf: file) == before, "resuming the session changed the file")
    }

    /// Runs `argv` on a new pseudo-terminal (100 × 30) that is its controlling terminal;
    /// once the line mode's prompt is up after its banner, types Ctrl-D. Standard output
    /// of the result: every byte the program wrote to the terminal, raw.
    /// Runs `argv` on a pty and presses Ctrl-D at the line chat's first prompt, once
    /// `waitFor` has been printed too (a notice that may come just after the prompt), or
    /// 30 s after the prompt.
    static func onPty(_ argv: [String], environment: [String: String], timeout: Double,
                      waitFor: String = "") throws -> ProcessResult {
        let driver = """
            import os, pty, select, struct, sys, time, fcntl, termios
            wait_for = sys.argv[1].encode()
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[2], sys.argv[2:])
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
            out, sent, prompt_at = b"", False, None
            while True:
                r, _, _ = select.select([fd], [], [], 0.1)
                if r:
                    try:
                        b = os.read(fd, 65536)
                    except OSError:
                        break
                    if not b:
                        break
                    out += b
                banner = out.find(b"Ponder line mode")
                if prompt_at is None and banner >= 0 and b"> " in out[banner:]:
                    prompt_at = time.time()
                if not sent and prompt_at is not None and (wait_for in out or time.time() - prompt_at > 30):
                    time.sleep(0.3)
                    os.write(fd, bytes([4]))
                    sent = True
            _, status = os.waitpid(pid, 0)
            sys.stdout.buffer.write(out)
            sys.exit(os.waitstatus_to_exitcode(status))
            """
        return try runProcess(try TestEnv.python(), ["-c", driver, waitFor] + argv, environment: environment, timeout: timeout)
    }

    /// `ponder run` streams token by token through the filter on a terminal: the text is
    /// the piped (exact) reply sanitized as a whole, so no token's text is lost or held.
    @Test func runOnATerminalShowsTheSanitizedReply() throws {
        let model = try TestEnv.smolQ4_1
        let prompt = "Colours: \u{1B}[31mred\u{1B}[0m, \u{1B}[32mgreen\u{1B}[0m, \u{1B}[34mblue\u{1B}[0m, \u{1B}[35m"
        let args = ["run", "--model", model.path, "--raw", "--prompt", prompt, "--max-tokens", "24"]
        let piped = try runProcess(try TestEnv.ponderBinary(), args, timeout: 120)
        #expect(piped.status == 0, "\(piped.stderrText)")
        let tty = try Self.onTerminal(args, timeout: 120)
        #expect(tty.status == 0 && Self.activeBytes(tty.stdout) == [])
        #expect(tty.stdoutText.replacingOccurrences(of: "\r\n", with: "\n") == TerminalText.sanitize(piped.stdoutText))
        #expect(piped.stdoutText.count > 10)
    }

    @Test func toAFileOrAPipeTheTextIsExact() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("hostile.json")
        let doc = Self.craftedDocument()
        try doc.save(to: file, overwrite: false)
        let bin = try TestEnv.ponderBinary()
        let out = dir.appendingPathComponent("out.md")
        let toFile = try runProcess(bin, ["export", file.path, "--markdown", "-o", out.path])
        #expect(toFile.status == 0, "\(toFile.stderrText)")
        let md = try Data(contentsOf: out)
        #expect(md == Data(MarkdownExport.render(doc).utf8))
        #expect(String(decoding: md, as: UTF8.self).contains(Self.payload("answer")))
        let piped = try runProcess(bin, ["export", file.path, "--markdown"])
        #expect(piped.stdout == md)
        let replay = try runProcess(bin, ["replay", file.path, "--plain", "--speed", "1000"])
        #expect(replay.stdout == Data(PlainReplay(speed: 1000).steps(doc).map(\.text).joined().utf8))
    }
}

/// A FIFO (no writer), a directory and `/dev/zero` given as a session file: every command
/// that reads one answers with one line and a non-zero status within a second (a hang is
/// killed by the timeout and fails the test). The second is counted beyond what the same
/// command costs on a missing file, measured just before: on a machine loaded by other
/// work, starting a debug build alone can take about a second.
@Suite struct SpecialSessionFileTests {
    @Test func everyCommandRefusesAtOnce() throws {
        let bin = try TestEnv.ponderBinary()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-special-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("s.json").path
        #expect(mkfifo(fifo, 0o600) == 0)
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = dir.path + "/data"
        for path in [fifo, dir.path, "/dev/zero"] {
            for args in [["export", path, "--markdown"], ["replay", path, "--plain"], ["replay", path],
                         ["chat", "--resume", path, "--no-journal"]] {
                let missing = args.map { $0 == path ? dir.path + "/missing.json" : $0 }
                let t0 = Date()
                let baseline = try runProcess(bin, missing, stdin: Data("hello\n".utf8), environment: env, timeout: 10)
                let start = Date()
                #expect(baseline.status == 1 && baseline.stderrText.contains("No such file"))
                let r = try runProcess(bin, args, stdin: Data("hello\n".utf8), environment: env, timeout: 10)
                let seconds = Date().timeIntervalSince(start), base = start.timeIntervalSince(t0)
                #expect(!r.timedOut, "\(args) hung")
                #expect(r.status == 1 && !r.signaled, "\(args): status \(r.status)")
                #expect(r.stderrText == "Error: \(path): not a regular file\n", "\(args)")
                #expect(r.stdout.isEmpty)
                #expect(seconds < 1 + base, "\(args) took \(seconds) s (a missing file: \(base) s)")
            }
        }
    }
}
