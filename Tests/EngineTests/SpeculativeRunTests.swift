import Foundation
import Testing
import TestSupport
import Kernels

/// `ponder run --draft ngram` against `--draft none` on the real SmolLM2 files: a
/// copy-and-edit prompt (the reply repeats the prompt's code, so prompt-lookup drafts are
/// kept) gives the same reply on every kernel tier, greedy and sampled
/// with a seed, and some drafts are kept. On the Q8_0 file, greedy, also with its Q4_0
/// requantization as the draft model (`--draft FILE`, the same vocabulary).
/// Serialized, and its minutes of `ponder run` processes are waited for off the
/// cooperative pool (`offPool`), which the async tests beside it need.
@Suite("Speculative decoding end to end", .serialized)
struct SpeculativeRunTests {
    static let prompt = """
        Rewrite this Python function so that the variable total is called result. Change nothing else.

        def sum_of_squares(numbers):
            total = 0
            for n in numbers:
                if n > 0:
                    total = total + n * n
            return total
        """

    /// The reply and the `--stats` line of one run.
    static func run(_ model: URL, draft: String, tier: String, sampled: Bool) async throws -> (text: String, stats: String) {
        var env = ProcessInfo.processInfo.environment
        env["PONDER_KERNELS"] = tier
        var args = ["run", "--model", model.path, "--prompt", prompt, "--think", "off", "--max-tokens", "96",
                    "--draft", draft, "--stats"]
        if sampled { args += ["--temp", "0.8", "--top-p", "0.95", "--seed", "7"] }
        let bin = try TestEnv.ponderBinary()
        let r = try await offPool { [env, args] in try runProcess(bin, args, environment: env, timeout: 600) }
        #expect(r.status == 0, "\(r.stderrText)")
        return (r.stdoutText, r.stderrText)
    }

    /// "drafts kept A/D" from a --stats line: (A, D), or nil when nothing was drafted.
    static func kept(_ stats: String) -> (Int, Int)? {
        guard let r = stats.range(of: #"drafts kept (\d+)/(\d+)"#, options: .regularExpression) else { return nil }
        let nums = stats[r].dropFirst("drafts kept ".count).split(separator: "/").compactMap { Int($0) }
        return nums.count == 2 ? (nums[0], nums[1]) : nil
    }

    @Test("Same reply with and without drafts, drafts kept, on every tier", .timeLimit(.minutes(30)),
          arguments: ["SmolLM2-135M-Instruct.Q8_0.gguf", "SmolLM2-135M-Instruct.Q4_1.gguf"])
    func sameReply(file: String) async throws {
        let model = try TestEnv.model(file)
        let tiers = ["scalar", "avx2", "avx512"].prefix(Int(pk_max_tier()) + 1)
        for tier in tiers {
            for sampled in [false, true] {
                let plain = try await Self.run(model, draft: "none", tier: tier, sampled: sampled)
                let spec = try await Self.run(model, draft: "ngram", tier: tier, sampled: sampled)
                #expect(!plain.text.isEmpty)
                #expect(spec.text == plain.text, "\(file), \(tier), sampled \(sampled)")
                #expect(Self.kept(plain.stats) == nil, "no drafts with --draft none: \(plain.stats)")
                if !sampled {
                    // The greedy reply copies the function: drafts are kept.
                    let k = Self.kept(spec.stats)
                    #expect((k?.0 ?? 0) > 0, "\(file), \(tier): \(spec.stats)")
                }
                if !sampled, file.contains("Q8_0") {
                    let draftFile = try TestEnv.smolQ4_0
                    let byModel = try await Self.run(model, draft: draftFile.path, tier: tier, sampled: false)
                    #expect(byModel.text == plain.text, "\(file), \(tier), --draft FILE")
                    #expect((Self.kept(byModel.stats)?.0 ?? 0) > 0, "\(file), \(tier): \(byModel.stats)")
                    #expect(byModel.stats.contains("from \(draftFile.lastPathComponent)"), "\(byModel.stats)")
                }
            }
        }
    }

    @Test("bench --prompt-file times each prompt under each mode, with the same replies", .timeLimit(.minutes(20)))
    func benchPromptFile() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-spec-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("prompts.txt")
        try Data((Self.prompt + "\n---\nWhat is the capital of France?\n").utf8).write(to: file)
        let bin = try TestEnv.ponderBinary(), model = try TestEnv.smolQ4_1.path
        let r = try await offPool {
            try runProcess(bin, ["bench", "--model", model, "--prompt-file", file.path, "-n", "48", "-r", "1"], timeout: 600)
        }
        #expect(r.status == 0, "\(r.stderrText)")
        let rows = r.stdoutText.split(separator: "\n").filter { $0.hasPrefix("| 1 |") || $0.hasPrefix("| 2 |") }
        #expect(rows.count == 4, "\(r.stdoutText)")
        #expect(rows.allSatisfy { $0.hasSuffix("| yes |") }, "\(r.stdoutText)")
        #expect(r.stdoutText.contains("all prompts, --draft ngram:"), "\(r.stdoutText)")
        // An empty prompt file and a bad mode: one error, no table.
        let empty = dir.appendingPathComponent("empty.txt")
        try Data("---\n\n".utf8).write(to: empty)
        for args in [["--prompt-file", empty.path], ["--prompt-file", file.path, "--draft", "none,fast"]] {
            let e = try runProcess(bin, ["bench", "--model", model] + args)
            #expect(e.status != 0 && !e.signaled && !e.stderrText.isEmpty && !e.stdoutText.contains("|"), "\(args)")
        }
    }

    @Test("bench --verify times a verification pass of each width against a decode step; bad widths are refused")
    func benchVerifyWidths() async throws {
        let bin = try TestEnv.ponderBinary(), model = try TestEnv.smolQ4_1.path
        let r = try await offPool {
            try runProcess(bin, ["bench", "--model", model, "-p", "0", "-n", "8", "-r", "1", "--verify", "2,5"], timeout: 300)
        }
        #expect(r.status == 0, "\(r.stderrText)")
        let rows = r.stdoutText.split(separator: "\n").filter { $0.hasPrefix("| verify") }
        #expect(rows.map { $0.split(separator: "|").first.map(String.init) ?? "" }.map { $0.trimmingCharacters(in: .whitespaces) }
                == ["verify2", "verify5"], "\(r.stdoutText)")
        #expect(rows.allSatisfy { $0.contains("x a decode step") }, "\(r.stdoutText)")
        // With several repetitions the cost is the median of their paired ratios, printed
        // with their range: "costs M x a decode step, A to B over the repetitions".
        let three = try await offPool {
            try runProcess(bin, ["bench", "--model", model, "-p", "0", "-n", "8", "-r", "3", "--verify", "4"], timeout: 300)
        }
        #expect(three.status == 0, "\(three.stderrText)")
        let row = three.stdoutText.split(separator: "\n").first { $0.hasPrefix("| verify4") }.map(String.init) ?? ""
        let numbers = row.components(separatedBy: "costs ").last?
            .split(whereSeparator: { !"0123456789.".contains($0) }).compactMap { Double($0) } ?? []
        #expect(numbers.count == 3 && numbers[1] <= numbers[0] && numbers[0] <= numbers[2]
                && row.contains("over the repetitions"), "\(row)")
        let none = try runProcess(bin, ["bench", "--model", model, "-p", "0", "-n", "4", "-r", "1", "--verify", "0"], timeout: 300)
        #expect(none.status == 0 && !none.stdoutText.contains("| verify"), "\(none.stdoutText)\(none.stderrText)")
        for bad in ["17", "x", "2,,4", ""] {
            let e = try runProcess(bin, ["bench", "--model", model, "-n", "4", "--verify", bad])
            #expect(e.status != 0 && !e.signaled && e.stderrText.contains("--verify"), "\(bad): \(e.stderrText)")
        }
    }

    @Test("A bad --draft is refused with a non-zero exit")
    func badDraft() throws {
        let r = try runProcess(try TestEnv.ponderBinary(),
                               ["run", "--model", try TestEnv.smolQ4_1.path, "--prompt", "hi", "--draft", "model.gguf"])
        #expect(r.status != 0 && !r.signaled)
        #expect(r.stderrText.contains("--draft must be none|ngram|FILE"), "\(r.stderrText)")
    }

    @Test("A draft model with another vocabulary, or a file that is not a model, is refused in one line")
    func draftModelRefused() throws {
        let dir = try TestEnv.freshDirectory("ponder-draft")
        defer { try? FileManager.default.removeItem(at: dir) }
        let notModel = dir.appendingPathComponent("notes.gguf")
        try Data("not a model\n".utf8).write(to: notModel)
        let target = try TestEnv.smolQ8_0.path
        for (draft, says) in [(try TestEnv.gemmaQ4KM.path, "vocabulary"), (notModel.path, "magic")] {
            let r = try runProcess(try TestEnv.ponderBinary(), ["run", "--model", target, "--prompt", "hi", "--draft", draft])
            #expect(r.status != 0 && !r.signaled, "\(draft)")
            let lines = r.stderrText.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("--draft \(draft)") && lines[0].contains(says), "\(r.stderrText)")
            #expect(r.stdoutText.isEmpty)
        }
    }
}
