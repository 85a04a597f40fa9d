import Testing
import Foundation
import TestSupport

/// The full-screen chat's memory follows the text it shows: a 3,000-token reply of the
/// real SmolLM2 model in a real terminal (tmux) peaks under 1.5 times the resident memory
/// of the line mode for the same reply (same model, prompt, seed and length). Both runs
/// are measured the same way: the kernel's peak resident size (VmHWM) of the process once
/// the reply is complete.
@Suite(.serialized) struct MemoryTests {
    /// Greedy (thinking off) with `--ignore-eos`: the reply runs to its token limit whatever
    /// the model would say (where it ends on its own depends on the kernel tier and the
    /// BLAS build, which round differently: this prompt's greedy reply counted past 3,000
    /// tokens on one machine and was a 100-token paragraph on another).
    static let prompt = "Write the numbers from 1 to 10000, separated by commas."
    static let replyTokens = 3000
    /// Generous: a debug build on a loaded 2-core machine decodes under 10 tokens a second.
    static let replyTimeout = 1200.0

    @Test
    func aLongReplyInTheTUIStaysNearTheLineMode() async throws {
        let bin = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1
        let args = "chat --model \"\(model.path)\" --think off --seed 1 --no-journal --ignore-eos --max-tokens \(Self.replyTokens)"

        // The line mode, its standard input held open so that it waits after the reply.
        let plain = try TerminalTests.Tmux()
        let pd = plain.dir.path
        try plain.start(width: 100, height: 30, script: """
            { echo '\(Self.prompt)'; sleep 3600; } | sh -c 'echo $$ > \(pd)/pid; exec "\(bin.path)" \(args)' \
                > \(pd)/out 2> \(pd)/err
            """)
        let plainPID = try pid(plain)
        let plainEnd = Date().addingTimeInterval(Self.replyTimeout)
        while Date() < plainEnd, plain.file("err")?.contains("reply cut at the token limit") != true {
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(plain.file("err")?.contains("reply cut at the token limit") == true,
                "the line mode's reply did not reach \(Self.replyTokens) tokens: \(plain.file("err") ?? "-")")
        let plainPeak = try #require(Self.status(plainPID, "VmHWM"))
        kill(plainPID, SIGTERM)
        withExtendedLifetime(plain) {}   // its tmux server (and so the process) lived until here

        // The full-screen chat, same arguments.
        let tui = try TerminalTests.Tmux()
        let td = tui.dir.path
        try tui.start(width: 100, height: 30, script: """
            sh -c 'echo $$ > \(td)/pid; exec "\(bin.path)" \(args)'
            sleep 60
            """)
        let tuiPID = try pid(tui)
        try tui.wait(for: " DIRECT │", timeout: 60)
        try tui.type(Self.prompt); try tui.keys("Enter")
        // Polled twice a second (capturing the pane costs CPU that the model needs), sleeping
        // off the cooperative pool's threads, which the async tests beside this one need.
        let tuiEnd = Date().addingTimeInterval(Self.replyTimeout)
        var screen: [String] = []
        while Date() < tuiEnd {
            screen = try tui.screen()
            if screen.contains(where: { $0.contains("[stopped at the token limit]") }) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(screen.contains { $0.contains("[stopped at the token limit]") },
                "the full-screen reply did not reach \(Self.replyTokens) tokens:\n\(screen.joined(separator: "\n"))")
        let tuiPeak = try #require(Self.status(tuiPID, "VmHWM"))
        let tuiNow = Self.status(tuiPID, "VmRSS") ?? 0

        // The same reply: 3,000 answer tokens in /stats, and the UI's own share there.
        try tui.type("/stats"); try tui.keys("Enter")
        let stats = try tui.wait("the stats") { $0.contains { $0.contains("ui: layout cache") } }
        #expect(stats.contains { $0.contains("answer tokens     \(Self.replyTokens)") }, "\(stats.joined(separator: "\n"))")
        try tui.keys("Escape")
        try tui.type("/new"); try tui.keys("Enter")
        try await Task.sleep(for: .seconds(2))
        let afterNew = Self.status(tuiPID, "VmRSS") ?? 0
        try tui.keys("C-d")

        print("peak resident memory for a \(Self.replyTokens)-token reply: line mode \(plainPeak >> 10) MiB, "
              + "full screen \(tuiPeak >> 10) MiB (\(tuiNow >> 10) MiB at the end, \(afterNew >> 10) MiB after /new)")
        #expect(tuiPeak * 2 < plainPeak * 3, "full screen \(tuiPeak) kB against line mode \(plainPeak) kB")
    }

    /// The process id the script wrote (the shell that `exec`s ponder).
    func pid(_ t: TerminalTests.Tmux) throws -> pid_t {
        let text = try #require(t.waitForFile("pid", timeout: 30), "no pid file")
        return try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// A kB field of /proc/PID/status ("VmHWM", "VmRSS"), nil once the process is gone.
    static func status(_ pid: pid_t, _ field: String) -> Int? {
        // Read to the end: a /proc file reports size 0, so no read by size.
        let fd = open("/proc/\(pid)/status", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            // "VmHWM:\t  142632 kB"
            return Int(line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }
}
