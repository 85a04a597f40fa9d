import Foundation
import Testing
import Engine
import TestSupport

/// `ponder run` end to end: text in, the reference's greedy reply out.
@Suite("ponder run")
struct RunCommandTests {
    /// Oracle tokenizer with the vocabulary's control tokens as specials, so a rendered
    /// ChatML string tokenizes with <|im_start|> / <|im_end|> as single tokens.
    static let oracle = """
import json, sys
import gguf, numpy as np
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, AddedToken
path, n = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, sys.argv[3])
ignore_eos = len(sys.argv) > 4 and sys.argv[4] == "ignore-eos"
import llama_reference as ref
r = gguf.GGUFReader(path)
toks = ref.field(r, "tokenizer.ggml.tokens"); types = ref.field(r, "tokenizer.ggml.token_type")
tk = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(toks)},
                          merges=[tuple(m.split(" ", 1)) for m in ref.field(r, "tokenizer.ggml.merges")]))
tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
tk.decoder = decoders.ByteLevel()
tk.add_special_tokens([AddedToken(t, special=True) for t, ty in zip(toks, types) if ty == 3])
m = ref.Llama(path)
out = []
for text in json.load(sys.stdin):
    ids = tk.encode(text).ids
    cache = m.new_cache()
    logits = m.forward(ids, cache, want_from=len(ids) - 1)[-1]
    gen = []
    for _ in range(n):
        if ignore_eos:
            logits = logits.copy(); logits[[0, 2]] = -np.inf
        t = int(np.argmax(logits))
        if t in (0, 2):  # <|endoftext|>, <|im_end|>: the end of the turn
            break
        gen.append(t)
        logits = m.forward([t], cache)[-1]
    out.append(tk.decode(gen, skip_special_tokens=False))
print(json.dumps(out))
"""

    @Test("Chat-formatted and --raw prompts give the reference's greedy text", .timeLimit(.minutes(20)))
    func greedyText() throws {
        let url = try TestEnv.smolQ4_1
        let question = "What is the capital of France?"
        // SmolLM2 uses ChatML and has no reasoning mode: nothing but the user's message
        // (Ponder leaves out the template's default system message, see `ChatFormat.render`).
        let chat = "<|im_start|>user\n\(question)<|im_end|>\n<|im_start|>assistant\n"
        let raw = "The capital of France is"
        let n = 40
        let reply = try runPython(Self.oracle, [url.path, String(n), TestEnv.repoRoot.appendingPathComponent("Tests/Oracles").path],
                                  stdin: try JSONSerialization.data(withJSONObject: [chat, raw]))
        let expected = try JSONSerialization.jsonObject(with: reply) as! [String]
        let ponder = try TestEnv.ponderBinary()
        // The exact float path, as the reference computes (the defaults' int8 decode is
        // compared token for token in GreedyMatchesReferenceTests.runCommand).
        var env = ProcessInfo.processInfo.environment
        env["PONDER_MATMUL"] = "float"; env["PONDER_KV"] = "f32"
        let a = try runProcess(ponder, ["run", "--model", url.path, "--prompt", question, "--think", "off", "--max-tokens", String(n)],
                               environment: env)
        #expect(a.status == 0, "\(a.stderrText)")
        #expect(a.stdoutText == expected[0] + "\n")
        // Standard input, --raw.
        let b = try runProcess(ponder, ["run", "--model", url.path, "--raw", "--max-tokens", String(n)], stdin: Data(raw.utf8),
                               environment: env)
        #expect(b.status == 0, "\(b.stderrText)")
        #expect(b.stdoutText == expected[1] + "\n")
    }

    /// `--ignore-eos`: the reply runs to `--max-tokens`, each token the reference's greedy
    /// pick among all but the end-of-turn tokens; SmolLM2's own reply to the question is
    /// one sentence, ended by <|im_end|> long before.
    @Test("--ignore-eos runs to the token limit with the reference's tokens", .timeLimit(.minutes(20)))
    func ignoreEos() throws {
        let url = try TestEnv.smolQ4_1
        let question = "What is the capital of France?"
        let chat = "<|im_start|>user\n\(question)<|im_end|>\n<|im_start|>assistant\n"
        let n = 24
        let oracles = TestEnv.repoRoot.appendingPathComponent("Tests/Oracles").path
        func reference(_ mode: String) throws -> String {
            let reply = try runPython(Self.oracle, [url.path, String(n), oracles, mode],
                                      stdin: try JSONSerialization.data(withJSONObject: [chat]))
            return (try JSONSerialization.jsonObject(with: reply) as! [String])[0]
        }
        var env = ProcessInfo.processInfo.environment
        env["PONDER_MATMUL"] = "float"; env["PONDER_KV"] = "f32"
        let args = ["run", "--model", url.path, "--prompt", question, "--think", "off", "--max-tokens", String(n), "--stats"]
        let ended = try runProcess(try TestEnv.ponderBinary(), args, environment: env)
        let full = try runProcess(try TestEnv.ponderBinary(), args + ["--ignore-eos"], environment: env)
        #expect(ended.status == 0 && full.status == 0, "\(ended.stderrText)\(full.stderrText)")
        #expect(ended.stdoutText == (try reference("")) + "\n")
        let expected = try reference("ignore-eos")
        #expect(expected.count > ended.stdoutText.count)
        #expect(full.stdoutText == expected + "\n")
        #expect(full.stderrText.contains("\(n) tokens") || full.stderrText.contains("token limit"), "\(full.stderrText)")
        // A server ends its replies itself: refused in one line.
        let remote = try runProcess(try TestEnv.ponderBinary(), ["run", "--server", "http://127.0.0.1:9", "--prompt", "hi", "--ignore-eos"])
        #expect(remote.status == 1 && remote.stderrText.split(separator: "\n").count == 1, "\(remote.stderrText)")
    }

    @Test("Bad arguments are one line and exit 1")
    func badArguments() throws {
        let url = try TestEnv.smolQ4_1
        let ponder = try TestEnv.ponderBinary()
        for args in [["--think", "maybe"], ["--max-tokens", "0"], ["--temp", "-1"], ["--tokens", "1,x"]] {
            let r = try runProcess(ponder, ["run", "--model", url.path, "--prompt", "hi"] + args)
            #expect(r.status != 0 && !r.signaled, "\(args)")
            #expect(!r.stderrText.isEmpty)
        }
        let r = try runProcess(ponder, ["run", "--model", "/nonexistent.gguf", "--prompt", "hi"])
        #expect(r.status == 1 && r.stderrText.split(separator: "\n").count == 1)
    }
}
