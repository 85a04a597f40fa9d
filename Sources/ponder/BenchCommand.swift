import ArgumentParser
import Chat
import Foundation
import Session
import Engine
import GGUF
import Kernels
import Session

/// `ponder bench`: prompt processing (pp) and generation (tg) speed like llama-bench,
/// with the machine's measured read bandwidth and the decode roofline for the file.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure prompt-processing and generation speed.",
        discussion: """
            ppN evaluates N prompt tokens in one batch; tgN generates N tokens one at a time \
            after a short prompt. Both use random token ids (the speed does not depend on them).

            The decode roofline is the measured read bandwidth divided by the bytes of weights \
            read per generated token. The bandwidth is the best of read probes (1 GiB, huge \
            pages where the system gives them), taken just before and just after each decode \
            run. Where the memory's speed changes from minute to minute (a VM), the best run \
            over the best probe can pair two states; beside it is printed the median share of \
            the runs whose two probes agree within 10%, each over their mean.

            The decode compute ceiling is what the cores allow instead: each kind of \
            projection matrix is run with its first rows held in cache (memory out of the \
            picture), and the measured rates are summed over the bytes one token reads. \
            Decode runs at most at the lower of the two.

            With --prompt-file F, real greedy replies (-n tokens at most) to the prompts of F \
            (blocks of text separated by lines of ---; bench/ holds copy-and-edit and free \
            chat sets) are timed through the chat's turn loop under each --draft mode \
            (default none,ngram: speculative decoding off and on, alternating): decode \
            tokens/s, drafts kept, and whether the replies are the same.

            With --saved-kv, resuming -p cached positions from a saved KV cache (chat \
            --save-kv) is timed against re-reading them (one prefill), after -n more are \
            appended as a turn's save would; then the whole resume in a fresh process (start, \
            the model opened as the chat opens it, the restore, the first new token), with \
            the files in the page cache and once cold.

            With --server URL (an OpenAI-compatible server that reports llama.cpp's \
            timings), the same prompt is sent R times through Ponder's turn path, \
            alternating with R plain requests read for the server's own timings: time to \
            first token and decode tokens/s of each, and what the client adds (-n sets \
            the reply's length).
            """,
        subcommands: [TokenizerBenchCommand.self])

    @Option(name: .long, help: "Model file (GGUF, llama architecture).")
    var model: String?

    @Option(name: [.customShort("p"), .long], help: "Prompt tokens for the pp test (0 = skip).")
    var prompt: Int = 512

    @Option(name: [.customShort("n"), .long], help: "Generated tokens for the tg test (0 = skip).")
    var generate: Int = 128

    @Option(name: .long, help: "Worker threads (default: the machine's physical cores, at most 8).")
    var threads: Int?

    @Option(name: .long, help: "Projection kernels: mixed (the default: int8 for decode, and for prefill on the K-quants, the IQ types and the 32-block types the CPU has x8 kernels or a GEMM for; float BLAS for other prefill), float, int8, or mixed16 (mixed with Q8_0 prefill on the 16-bit GEMM).")
    var matmul: String?

    @Option(name: .long, help: "KV cache element type: f16 (default) or f32.")
    var kv: String?

    @Option(name: .long, help: "With -n: speculative verification passes to time, as tokens per pass, comma-separated (the last token and its drafts; 0 = none).")
    var verify: String = "4"

    @Option(name: [.customShort("r"), .long], help: "Repetitions of each test.")
    var repetitions: Int = 3

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    @OptionGroup(title: "A model on a server")
    var serverOptions: ServerOptions

    @Option(name: .long, help: "With --prompt-file: replies to these prompts (blocks separated by lines of ---) instead of pp and tg.")
    var promptFile: String?

    @Option(name: .long, help: "With --prompt-file: draft modes to compare, comma-separated (none, ngram or a draft model's FILE; default none,ngram).")
    var draft: String = "none,ngram"

    @Flag(name: .customLong("saved-kv"), help: "Time resuming -p cached positions from a saved KV cache against re-reading them (-n more appended first).")
    var savedKV = false

    @Flag(name: .long, help: "Keep K-quant matrices in the file's layout (no row-interleaved copy for the decode kernels; PONDER_REPACK=0 does the same).")
    var noRepack = false

    /// The child of `--saved-kv`'s fresh-process resume (`ResumeProbe`): restore this file.
    @Option(name: .long, help: .hidden)
    var resumeProbe: String?

    func validate() throws {
        guard prompt >= 0, generate >= 0, prompt + generate > 0 else {
            throw ValidationError("-p and -n must be non-negative, and not both 0")
        }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        if let t = threads, !(1...64).contains(t) { throw ValidationError("--threads must be 1 to 64") }
        if let m = matmul, MatMulPath(rawValue: m) == nil { throw ValidationError("--matmul must be mixed, float, int8 or mixed16") }
        if let k = kv, KVCacheType(rawValue: k) == nil { throw ValidationError("--kv must be f16 or f32") }
        _ = try draftNames()
        guard Self.parseVerifyWidths(verify) != nil else {
            throw ValidationError("--verify must be tokens per pass, 1 to 16, comma-separated (or 0 for none)")
        }
    }

    /// `--draft`'s comma-separated names, checked before anything loads.
    func draftNames() throws -> [String] {
        let names = draft.split(separator: ",").map(String.init)
        guard !names.isEmpty else { throw ValidationError("--draft must name at least one of \(DraftMode.choices)") }
        for n in names { try checkDraftName(n) }
        return names
    }

    func run() async throws {
        if let url = try serverOptions.serverURL {
            guard model == nil else { throw CLIError("--model and --server name two models; give one") }
            guard !json else { throw CLIError("--json is not available with --server") }
            guard generate > 1 else { throw CLIError("--server needs -n of at least 2 (tokens to time)") }
            let served = try await ServedModel.open(url: url, name: try serverOptions.servedModelName, keyFile: try serverOptions.keyFile, reasoningProfile: nil)
            for w in served.warnings { TerminalOutput.warn("warning: \(w)") }
            let bench = ServerBench(served: served, maxTokens: generate, runs: repetitions)
            let lines = try await bench.run { FileHandle.standardError.write(Data("\r\($0)".utf8)) }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            for line in lines { print(line) }
            return
        }
        guard let model else { throw CLIError("ponder bench needs --model FILE or --server URL (or: ponder bench tokenizer)") }
        if let threads { setenv("PONDER_THREADS", String(threads), 1) }
        if let resumeProbe {
            print(try ResumeProbe.child(model: model, kv: resumeProbe))
            return
        }
        let file: GGUFFile
        do { file = try GGUFFile(path: model) } catch { throw CLIError(error.description) }
        let llama: LlamaModel
        do { llama = try LlamaModel(file: file, repack: noRepack ? .off : .fromEnvironment) } catch { throw CLIError("\(model): \(error)") }
        if let promptFile {
            try await benchReplies(file: file, model: llama, promptFile: promptFile)
            return
        }
        if savedKV {
            guard prompt > 0 else { throw CLIError("--saved-kv needs -p of at least 1 (the positions to resume)") }
            let bench = SavedKVBench(model: llama, identity: ModelIdentity.of(file),
                                     cacheType: kv.flatMap(KVCacheType.init(rawValue:)) ?? .fromEnvironment,
                                     positions: prompt, appended: generate, repetitions: repetitions)
            let lines: [String]
            do { lines = try bench.run { FileHandle.standardError.write(Data("\r\u{1B}[K\($0)".utf8)) } } catch let e as CLIError { throw e } catch { throw CLIError("\(error)") }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            print("model: \(URL(fileURLWithPath: model).lastPathComponent)")
            for line in lines { print(line) }
            return
        }
        let vocab = Int32(llama.config.vocabSize)
        let capacity = max(prompt, 16) + generate + 1
        let ctx: LlamaContext
        do {
            ctx = try LlamaContext(model: llama, capacity: capacity,
                                   cacheType: kv.flatMap(KVCacheType.init(rawValue:)) ?? .fromEnvironment)
        } catch { throw CLIError("\(error)") }
        if let m = matmul.flatMap(MatMulPath.init(rawValue:)) { ctx.matmulPath = m }
        var rng = Xoshiro256(seed: 42)
        func randomTokens(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(rng.next() % UInt64(vocab)) } }

        // Warm-up: touch every weight page once so the first repetition is not a disk read.
        ctx.reset()
        _ = try? ctx.evaluate(randomTokens(4))
        var pp: [Double] = [], tg: [Double] = [], probes: [Double] = []
        var probePairs: [(before: Double, after: Double)] = []  // around each decode run
        var verify = [[Double]](repeating: [], count: verifyWidths.count)   // passes/s per width
        for r in 0..<repetitions {
            if prompt > 0 {
                ctx.reset()
                let toks = randomTokens(prompt)
                let t0 = now()
                do { try ctx.evaluate(toks) } catch { throw CLIError("\(error)") }
                pp.append(Double(prompt) / (now() - t0))
            }
            if generate > 0 {
                ctx.reset()
                do { try ctx.evaluate(randomTokens(1)) } catch { throw CLIError("\(error)") }
                let toks = randomTokens(generate)
                let before = pk_measure_read_bandwidth(1 << 30, Int32(engineThreadCount))
                let t0 = now()
                for t in toks { do { try ctx.evaluate([t]) } catch { throw CLIError("\(error)") } }
                tg.append(Double(generate) / (now() - t0))
                let after = pk_measure_read_bandwidth(1 << 30, Int32(engineThreadCount))
                probes.append(max(before, after))
                probePairs.append((before, after))
                // Speculative verification: passes of `width` tokens computed with the decode
                // kernels' arithmetic, at the same depth of context.
                for (i, width) in verifyWidths.enumerated() {
                    ctx.reset()
                    do { try ctx.evaluate(randomTokens(1)) } catch { throw CLIError("\(error)") }
                    let passes = max(1, generate / width)
                    let t1 = now()
                    for _ in 0..<passes {
                        do { try ctx.evaluate(randomTokens(width), logits: .all, decodeArithmetic: true) } catch { throw CLIError("\(error)") }
                    }
                    verify[i].append(Double(passes) / (now() - t1))
                }
            }
            // Read probes around each decode run (after the prefill, without one), so that
            // they sample the same stretch of a noisy machine as the run; the best one sets
            // the roofline.
            if generate == 0 { probes.append(pk_measure_read_bandwidth(1 << 30, Int32(engineThreadCount))) }
            if !json { FileHandle.standardError.write(Data("\rrepetition \(r + 1)/\(repetitions)".utf8)) }
        }
        if !json { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }

        let ceiling = generate > 0 ? ctx.decodeCeiling() : nil
        let bytesPerToken = Self.weightBytesPerToken(file)
        let bandwidth = probes.max() ?? 0
        let roofline = bandwidth * 1e9 / Double(bytesPerToken)
        let name = URL(fileURLWithPath: model).lastPathComponent
        if json {
            var o: [String: Any] = ["model": name, "threads": engineThreadCount,
                                    "kernel_tier": Int(pk_active_tier()), "blas_core": BLASCore.name, "repetitions": repetitions,
                                    "matmul": ctx.matmulPath.rawValue, "kv": ctx.cacheType.rawValue,
                                    "read_bandwidth_gb_s": bandwidth, "read_bandwidth_all": probes, "repacked_matrices": llama.repackedMatrices, "weight_bytes_per_token": bytesPerToken,
                                    "tg_roofline_tokens_per_second": roofline]
            if !pp.isEmpty { o["pp_tokens"] = prompt; o["pp_tokens_per_second"] = pp.max()!; o["pp_all"] = pp }
            if !tg.isEmpty {
                o["tg_tokens"] = generate; o["tg_tokens_per_second"] = tg.max()!; o["tg_all"] = tg
                let paired = Self.rooflineShares(tg: tg, probes: probePairs, bytesPerToken: bytesPerToken)
                if !paired.isEmpty { o["tg_roofline_share_stable_median"] = median(paired) }
                o["tg_stable_runs"] = paired.count
                o["read_bandwidth_pairs"] = probePairs.map { [$0.before, $0.after] }
            }
            for (width, v) in zip(verifyWidths, verify) where !v.isEmpty {
                o["verify\(width)_passes_per_second"] = v.max()!
                o["verify\(width)_cost_decode_steps"] = median(Self.passCosts(tg: tg, passes: v))
            }
            if let ceiling {
                o["tg_compute_ceiling_tokens_per_second"] = ceiling.tokensPerSecond
                o["kernel_rates_gb_s"] = Dictionary(uniqueKeysWithValues: ceiling.rates.map { ($0.label, $0.gbPerSecond) })
            }
            let data = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("model: \(name)   threads: \(engineThreadCount)   kernels: \(["scalar", "avx2", "avx512"][Int(pk_active_tier())])   blas: \(BLASCore.name)   matmul: \(ctx.matmulPath.rawValue)   kv: \(ctx.cacheType.rawValue)   repacked: \(llama.repackedMatrices) matrices")
        print("read bandwidth: \(fmt(bandwidth)) GB/s   weights read per token: \(fmt(Double(bytesPerToken) / 1e6)) MB   decode roofline: \(fmt(roofline)) tok/s")
        if let ceiling {
            let kinds = ceiling.rates.map { "\($0.label) \(fmt($0.gbPerSecond))" }.joined(separator: ", ")
            print("decode compute ceiling: \(fmt(ceiling.tokensPerSecond)) tok/s   (kernels on cache-resident weights, GB/s: \(kinds))")
        }
        print("| test | t/s (mean ± sd) | best |")
        print("|---|---|---|")
        if !pp.isEmpty { print("| pp\(prompt) | \(fmt(mean(pp))) ± \(fmt(sd(pp))) | \(fmt(pp.max()!)) |") }
        if !tg.isEmpty {
            let ofCeiling = ceiling.map { ", \(fmt(100 * tg.max()! / $0.tokensPerSecond))% of compute ceiling" } ?? ""
            let paired = Self.rooflineShares(tg: tg, probes: probePairs, bytesPerToken: bytesPerToken)
            let pairedText = paired.isEmpty ? "; no run had probes before and after it that agree within 10%"
                : "; runs whose probes before and after agree within 10% (\(paired.count) of \(tg.count)), each over their mean: median \(fmt(100 * median(paired)))%" + (paired.count > 1 ? ", \(fmt(100 * paired.first!)) to \(fmt(100 * paired.last!))%" : "")
            print("| tg\(generate) | \(fmt(mean(tg))) ± \(fmt(sd(tg))) | \(fmt(tg.max()!)) | (\(fmt(100 * tg.max()! / roofline))% of roofline\(pairedText)\(ofCeiling))")
        }
        for (width, v) in zip(verifyWidths, verify) where !v.isEmpty {
            let c = Self.passCosts(tg: tg, passes: v)
            let range = c.count > 1 ? ", \(fmt(c.first!)) to \(fmt(c.last!)) over the repetitions" : ""
            print("| verify\(width) | \(fmt(mean(v))) ± \(fmt(sd(v))) | \(fmt(v.max()!)) | (passes/s; one pass costs \(fmt(median(c)))x a decode step\(range))")
        }
    }

    /// The shares of the roofline of the decode runs the machine's memory kept one speed
    /// through: runs whose read probes just before and just after agree within 10%, each
    /// over the mean of its two probes; sorted. On a machine whose memory speed changes from
    /// one minute to the next (a VM beside busy neighbours), the best run over the best
    /// probe can pair two different states; these pairs cannot.
    static func rooflineShares(tg: [Double], probes: [(before: Double, after: Double)], bytesPerToken: Int) -> [Double] {
        zip(tg, probes).compactMap { rate, p in
            let hi = max(p.before, p.after), lo = min(p.before, p.after)
            return lo > 0 && lo >= 0.9 * hi ? rate * Double(bytesPerToken) / ((lo + hi) / 2 * 1e9) : nil
        }.sorted()
    }

    /// Each repetition's cost of a verification pass in decode steps (its decode rate over
    /// its pass rate: the two run back to back, on the same stretch of a noisy machine),
    /// sorted (the table prints the first and last as the range). The cost reported is their
    /// median, which one outlier repetition does not move.
    static func passCosts(tg: [Double], passes: [Double]) -> [Double] {
        zip(tg, passes).map { $0 / $1 }.sorted()
    }

    /// `--verify`: tokens per timed verification pass (speculative decoding: the last token
    /// and its drafts; checked by `validate`), empty for "0".
    var verifyWidths: [Int] { Self.parseVerifyWidths(verify) ?? [] }

    /// Comma-separated widths, each 0 to 16 (0 entries dropped); nil when an entry is empty
    /// or not such a number.
    static func parseVerifyWidths(_ s: String) -> [Int]? {
        var widths: [Int] = []
        for entry in s.split(separator: ",", omittingEmptySubsequences: false) {
            guard let w = Int(entry.trimmingCharacters(in: .whitespaces)), (0...16).contains(w) else { return nil }
            if w > 0 { widths.append(w) }
        }
        return widths
    }

    /// `--prompt-file`: `SpeculationBench` over the file's prompts.
    private func benchReplies(file: GGUFFile, model llama: LlamaModel, promptFile: String) async throws {
        let tokenizer = try loadTokenizer(file)
        let (format, profile) = try promptSetup(file: file, tokenizer: tokenizer, chatFormat: nil, reasoningProfile: nil)
        let bench = SpeculationBench(model: llama, tokenizer: tokenizer, format: format, profile: profile,
                                     prompts: try SpeculationBench.readPrompts(promptFile), modes: try draftNames().map { try draftMode($0, target: llama) },
                                     maxTokens: max(1, generate), repetitions: repetitions)
        let results = try await bench.run { FileHandle.standardError.write(Data("\r\u{1B}[K\($0)".utf8)) }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        let name = URL(fileURLWithPath: model ?? "").lastPathComponent
        print("model: \(name)   threads: \(engineThreadCount)   kernels: \(["scalar", "avx2", "avx512"][Int(pk_active_tier())])   prompts: \(promptFile)   greedy, at most \(generate) tokens, best of \(repetitions)")
        for line in bench.table(results) { print(line) }
    }

    /// Bytes of weights one decode step reads: every tensor, except that the token
    /// embedding contributes one row (unless it doubles as the output matrix).
    static func weightBytesPerToken(_ file: GGUFFile) -> Int {
        let tied = file.tensor(named: "output.weight") == nil
        var total = 0
        for t in file.tensors {
            if t.name == "token_embd.weight" && !tied { total += t.rowBytes } else { total += t.byteCount }
        }
        return total
    }
}

private func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
// Summaries of repeated measurements, shared by the benchmarks.
func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
func median(_ x: [Double]) -> Double {
    let s = x.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
func sd(_ x: [Double]) -> Double {
    guard x.count > 1 else { return 0 }
    let m = mean(x)
    return (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
}
func fmt(_ v: Double) -> String { String(format: "%.2f", v) }
