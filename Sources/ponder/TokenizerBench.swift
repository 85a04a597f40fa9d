import Chat
import Foundation
import GGUF
import Tokenizer
import ArgumentParser

/// `ponder bench tokenizer`: encoding throughput (MB/s) on a deterministic mixed text,
/// against Hugging Face `tokenizers` and llama.cpp's tokenizer (single thread each) on the
/// same text in the same run.
struct TokenizerBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Measure tokenizer throughput against HF tokenizers and llama.cpp.")

    @Option(name: .long, help: ArgumentHelp("GGUF file (default: SmolLM2 in the cache).", valueName: "FILE"))
    var model: String?

    @Option(name: .long, help: "Size of the mixed text in bytes.")
    var bytes: Int = 1_000_000

    @Option(name: .long, help: "Timed rounds per tokenizer (best and median are shown).")
    var rounds: Int = 5

    @Flag(name: .customLong("no-compare"), help: "Do not run the HF tokenizers and llama.cpp comparison.")
    var noCompare = false

    func validate() throws {
        guard bytes > 0, bytes <= 1 << 30 else { throw ValidationError("--bytes must be in 1...1073741824") }
        guard rounds > 0, rounds <= 100 else { throw ValidationError("--rounds must be in 1...100") }
    }

    func run() throws {
        let path = model ?? TokenizerBench.cacheDir.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf").path
        for line in try TokenizerBench.run(modelPath: path, bytes: bytes, rounds: rounds, compare: !noCompare) {
            print(line)
        }
    }
}

/// The tokenizer benchmark as a function (the lead may call it from `ponder bench`).
enum TokenizerBench {
    static var cacheDir: URL {
        let env = ProcessInfo.processInfo.environment
        if let p = env["PONDER_CACHE"], !p.isEmpty { return URL(fileURLWithPath: p) }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return URL(fileURLWithPath: x).appendingPathComponent("ponder") }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/ponder")
    }

    /// Runs the benchmark; returns report lines. Throws CLIError for an unreadable model.
    static func run(modelPath: String, bytes: Int, rounds: Int, compare: Bool) throws -> [String] {
        let tokenizer: Tokenizer
        do { tokenizer = try Tokenizer(gguf: GGUFFile(path: modelPath)) } catch let e as GGUFError {
            throw CLIError(e.description)
        } catch { throw CLIError("\(modelPath): \(error)") }
        let text = mixedText(bytes: bytes)
        let size = Double(text.utf8.count)
        var times: [Double] = []
        var ids: [TokenID] = []
        for _ in 0..<rounds {
            let t0 = DispatchTime.now().uptimeNanoseconds
            ids = tokenizer.encode(text)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let ours = stats(times, size)
        var lines = [
            "model: \(modelPath) (\(tokenizer.vocabulary.model.rawValue), pre \(tokenizer.preTokenizer?.rawValue ?? "-"), \(tokenizer.vocabularySize) tokens)",
            "text: \(text.utf8.count) bytes of mixed prose, code, numbers, multilingual text and emoji -> \(ids.count) tokens",
            String(format: "ponder      %7.2f MB/s best, %7.2f MB/s median (%d rounds, 1 thread)", ours.best, ours.median, rounds),
        ]
        guard compare else { return lines }
        do {
            for (name, r) in try runOthers(modelPath: modelPath, text: text, rounds: rounds).sorted(by: { $0.key > $1.key }) {
                let theirs = stats(r.times, size)
                lines.append(String(format: "%-11@ %7.2f MB/s best, %7.2f MB/s median (%@, 1 thread)",
                                    name, theirs.best, theirs.median, r.version))
                lines.append(String(format: "ratio ponder/%@: %.2fx (best), %.2fx (median); ids identical: %@",
                                    name, ours.best / theirs.best, ours.median / theirs.median, r.ids == ids ? "yes" : "NO"))
            }
        } catch {
            lines.append("comparison skipped: \(error)")
        }
        return lines
    }

    static func stats(_ times: [Double], _ size: Double) -> (best: Double, median: Double) {
        let rates = times.map { size / $0 / 1e6 }.sorted()
        return (rates.last ?? 0, rates[rates.count / 2])
    }

    struct OtherResult: Decodable { let times: [Double]; let ids: [TokenID]; let version: String }

    /// Python timing the whole text with (1) HF `tokenizers` built from the same GGUF
    /// (tokens, merges, the split of `tokenizer.ggml.pre`; byte-level BPE only) and
    /// (2) llama.cpp's tokenizer (llama-cpp-python, vocab only), each when installed.
    static let hfScript = #"""
import sys, json, time
import gguf
path, rounds = sys.argv[1], int(sys.argv[2])
text = sys.stdin.buffer.read().decode("utf-8")
out = {}
def timed(f):
    times, ids = [], None
    for _ in range(rounds):
        t0 = time.perf_counter(); ids = f(); times.append(time.perf_counter() - t0)
    return {"times": times, "ids": ids}
f = gguf.GGUFReader(path).fields
model = bytes(f["tokenizer.ggml.model"].parts[-1]).decode()
pre = bytes(f["tokenizer.ggml.pre"].parts[-1]).decode() if "tokenizer.ggml.pre" in f else "llama-bpe"
try:
    import tokenizers
    from tokenizers import Tokenizer, Regex, models, pre_tokenizers
    strs = lambda k: [bytes(f[k].parts[i]).decode("utf-8") for i in f[k].data]
    L3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
    Q2 = L3.replace(r"\p{N}{1,3}", r"\p{N}")
    bl = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    pts = {"llama-bpe": lambda: pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(L3), "isolated"), bl]),
           "qwen2": lambda: pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(Q2), "isolated"), bl]),
           "smollm": lambda: pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                      pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]),
           "gpt-2": lambda: pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)}
    pts["deepseek-r1-qwen"] = pts["qwen2"]
    if model == "gpt2" and pre in pts:
        tokens, merges = strs("tokenizer.ggml.tokens"), strs("tokenizer.ggml.merges")
        vocab = {t: i for i, t in reversed(list(enumerate(tokens)))}
        tok = Tokenizer(models.BPE(vocab=vocab, merges=[tuple(m.split(" ", 1)) for m in merges],
                                   ignore_merges=(pre == "llama-bpe")))
        tok.pre_tokenizer = pts[pre]()
        out["tokenizers"] = dict(timed(lambda: tok.encode(text, add_special_tokens=False).ids),
                                 version="HF tokenizers " + tokenizers.__version__)
except ImportError:
    pass
try:
    import llama_cpp
    m = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
    b = text.encode("utf-8")
    out["llama.cpp"] = dict(timed(lambda: m.tokenize(b, add_bos=False, special=False)),
                            version="llama-cpp-python " + llama_cpp.__version__)
except ImportError:
    pass
json.dump(out, sys.stdout)
"""#

    static func runOthers(modelPath: String, text: String, rounds: Int) throws -> [String: OtherResult] {
        let python = cacheDir.appendingPathComponent("venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw CLIError("no Python venv at \(python.path) (run scripts/setup.sh --test)")
        }
        let p = Process()
        p.executableURL = python
        p.arguments = ["-c", hfScript, modelPath, String(rounds)]
        var env = ProcessInfo.processInfo.environment
        env["RAYON_NUM_THREADS"] = "1"; env["TOKENIZERS_PARALLELISM"] = "false"
        p.environment = env
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        p.standardInput = inPipe; p.standardOutput = outPipe; p.standardError = errPipe
        try p.run()
        let writer = Thread { inPipe.fileHandleForWriting.write(Data(text.utf8)); try? inPipe.fileHandleForWriting.close() }
        writer.start()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let last = String(decoding: err, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "failed"
            throw CLIError("python: \(last)")
        }
        return try JSONDecoder().decode([String: OtherResult].self, from: out)
    }

    /// About `bytes` bytes of deterministic mixed text: English prose, code, numbers and
    /// tables, multilingual lines (accents, Cyrillic, Greek, Arabic, Hindi, CJK) and emoji.
    static func mixedText(bytes: Int) -> String {
        var state: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
        let words = ["the", "a", "model", "reasons", "about", "tokens", "before", "it", "answers", "and", "we", "can't",
                     "measure", "how", "fast", "each", "step", "is", "when", "text", "arrives", "in", "pieces", "of",
                     "different", "length", "however", "it's", "also", "true", "that", "they're", "quickly", "learning"]
        let code = ["func encode(_ text: String) -> [Int] {\n    return text.utf8.map { Int($0) }\n}\n",
                    "for (int i = 0; i < n; i++) {\n\tsum += a[i] * b[i];\n}\n",
                    "def main():\n    print(f\"{x:>8.3f} | {y!r}\")\n\nif __name__ == \"__main__\":\n    main()\n"]
        let intl = ["Größe, Übermaß und naïve Cafés in Zürich.", "Москва — столица России.", "Η γλώσσα είναι ελληνική.",
                    "مرحبا بالعالم، كيف حالك؟", "नमस्ते दुनिया, आप कैसे हैं?", "東京は日本の首都です。", "我们今天学习中文字符。",
                    "안녕하세요 세계", "こんにちは、カタカナとひらがな。"]
        let emoji = ["👍", "👨‍👩‍👧‍👦", "🎉🎉", "🇫🇷", "❤️", "👋🏽", "🤖"]
        var out = ""
        out.reserveCapacity(bytes + 256)
        while out.utf8.count < bytes {
            switch next(10) {
            case 0...4:
                var sentence = ""
                for i in 0..<(5 + next(15)) {
                    let w = words[next(words.count)]
                    sentence += i == 0 ? w.prefix(1).uppercased() + w.dropFirst() : " " + w
                    if next(12) == 0 { sentence += "," }
                }
                out += sentence + [". ", "! ", "? ", ".\n\n"][next(4)]
            case 5: out += code[next(code.count)] + "\n"
            case 6: out += "| \(next(100000)) | \(next(1000)).\(next(100)) | \(next(10_000_000_000)) |\n"
            case 7, 8: out += intl[next(intl.count)] + " "
            default: out += emoji[next(emoji.count)] + " "
            }
        }
        return out
    }
}
