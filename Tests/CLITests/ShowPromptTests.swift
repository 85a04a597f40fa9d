import Foundation
import Testing
import TestSupport

/// `ponder run --show-prompt` on files with real chat templates: SmolLM2's own GGUF, and
/// vocab-only GGUFs the test writes with the gguf package (a vocabulary from
/// /work/shared/vocab plus a `tokenizer.chat_template`): no weights are read. The expected
/// prompts are the templates themselves rendered by jinja2 (with the reasoning switch
/// each family documents), so the oracle is the template, not this code.
@Suite struct ShowPromptTests {
    /// Copies the tokenizer keys of `vocab` into a vocab-only GGUF at `out` with the given
    /// name, architecture and chat template; `extraControl` tokens are appended to the
    /// vocabulary as control tokens (the DeepSeek markers a Qwen2 vocabulary lacks).
    static let writer = #"""
import sys, json, gguf
sys.path.insert(0, sys.argv[1])
from make_test_models import copy_kv
args = json.loads(sys.stdin.read())
r = gguf.GGUFReader(args["vocab"])
w = gguf.GGUFWriter(args["out"], args["arch"])
extra = args["extraControl"]
copy_kv(r, w, skip=("general.name", "tokenizer.chat_template"), extend={
    "tokenizer.ggml.tokens": extra, "tokenizer.ggml.token_type": [int(gguf.TokenType.CONTROL)] * len(extra),
    "tokenizer.ggml.scores": [0.0] * len(extra)})
w.add_name(args["name"])
w.add_chat_template(args["template"])
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
"""#

    /// Renders `messages` with `template` (jinja2, as llama.cpp's and HF's chat code do).
    static let render = #"""
import sys, json, jinja2
a = json.loads(sys.stdin.read())
env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
out = env.from_string(a["template"]).render(messages=a["messages"], add_generation_prompt=True,
                                            bos_token=a["bos"], **a.get("extra", {}))
sys.stdout.write(json.dumps(out))
"""#

    static func writeModel(vocab: String, arch: String, name: String, template: String,
                           extraControl: [String] = [], in dir: URL) throws -> String {
        let out = dir.appendingPathComponent("\(name).gguf").path
        let args: [String: Any] = ["vocab": "/work/shared/vocab/\(vocab)", "out": out, "arch": arch, "name": name,
                                   "template": template, "extraControl": extraControl]
        _ = try runPython(writer, [TestEnv.repoRoot.appendingPathComponent("scripts").path],
                          stdin: try JSONSerialization.data(withJSONObject: args))
        return out
    }

    static func jinja(_ template: String, user: String, system: String? = nil, bos: String = "",
                      extra: [String: Any] = [:]) throws -> String {
        var messages: [[String: String]] = []
        if let system { messages.append(["role": "system", "content": system]) }
        messages.append(["role": "user", "content": user])
        let args: [String: Any] = ["template": template, "messages": messages, "bos": bos, "extra": extra]
        let out = try runPython(render, stdin: try JSONSerialization.data(withJSONObject: args))
        return try JSONDecoder().decode(String.self, from: out)
    }

    static func showPrompt(_ model: String, _ extra: [String]) throws -> ProcessResult {
        try runProcess(try TestEnv.ponderBinary(), ["run", "--model", model, "--show-prompt"] + extra)
    }

    static func tempDir() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-prompt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// SmolLM2 (ChatML, no reasoning in its template): nothing injected with --think on,
    /// and the prompt is the template's own rendering less its default system message
    /// (which Ponder leaves out, see `ChatFormat.render`).
    @Test func smolLM2HasNoReasoningSwitch() throws {
        let model = try TestEnv.smolQ4_1.path
        let on = try Self.showPrompt(model, ["--think", "on", "--prompt", "Name a color."])
        #expect(on.status == 0, "\(on.stderrText)")
        #expect(!on.stdoutText.contains("detailed thinking") && !on.stdoutText.contains("<think>"))
        let off = try Self.showPrompt(model, ["--think", "off", "--prompt", "Name a color."])
        #expect(off.stdoutText == on.stdoutText)
        let template = try JSONDecoder().decode(String.self, from: try runPython("""
            import json, sys
            from gguf import GGUFReader
            f = GGUFReader(sys.argv[1]).fields["tokenizer.chat_template"]
            sys.stdout.write(json.dumps(bytes(f.parts[f.data[0]]).decode()))
            """, [model]))
        let oracle = try Self.jinja(template, user: "Name a color.")
        #expect(oracle.hasPrefix("<|im_start|>system\n") && oracle.hasSuffix(on.stdoutText))
        #expect(oracle.dropLast(on.stdoutText.utf8.count).hasSuffix("<|im_end|>\n")
                && on.stdoutText.hasPrefix("<|im_start|>user\nName a color.<|im_end|>\n"))
        // The override reaches the same rendering path.
        let forced = try Self.showPrompt(model, ["--think", "on", "--reasoning-profile", "nemotron", "--prompt", "Name a color."])
        #expect(forced.stdoutText.hasPrefix("<|im_start|>system\ndetailed thinking on<|im_end|>\n"))
    }

    /// A Nemotron-templated file (Llama-3 vocabulary, a template with the directive):
    /// on puts `detailed thinking on` in the system turn; off puts `detailed thinking off`
    /// there and ends with the empty think block. Both equal the template's rendering
    /// with that system message (plus the pre-fill).
    @Test func nemotronTemplateGetsTheDirectiveAndPrefill() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let template = """
            {{- bos_token }}{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content'] %}{%- set loop_messages = messages[1:] %}{%- else %}{%- set system_message = "detailed thinking on" %}{%- set loop_messages = messages %}{%- endif %}{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' + system_message + '<|eot_id|>' }}{%- for message in loop_messages %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}
            """
        let model = try Self.writeModel(vocab: "ggml-vocab-llama-bpe.gguf", arch: "llama",
                                        name: "Llama-3.1-Nemotron-Nano-4B-v1.1", template: template, in: dir)
        let on = try Self.showPrompt(model, ["--think", "on", "--prompt", "Name a color.", "--stats"])
        #expect(on.status == 0, "\(on.stderrText)")
        #expect(on.stdoutText.contains("detailed thinking on"))
        #expect(on.stdoutText == (try Self.jinja(template, user: "Name a color.", system: "detailed thinking on",
                                                 bos: "<|begin_of_text|>")))
        // The ids: one BOS (the format writes it, the vocabulary's add_bos adds none).
        #expect(on.stderrText.hasPrefix("ponder: prompt ") && on.stderrText.contains(": 128000 128006 "), "\(on.stderrText)")
        #expect(on.stderrText.components(separatedBy: " 128000 ").count == 2)
        let off = try Self.showPrompt(model, ["--think", "off", "--prompt", "Name a color."])
        #expect(off.stdoutText.hasSuffix("<|start_header_id|>assistant<|end_header_id|>\n\n<think>\n</think>"))
        #expect(off.stdoutText == (try Self.jinja(template, user: "Name a color.", system: "detailed thinking off",
                                                  bos: "<|begin_of_text|>")) + "<think>\n</think>")
    }

    /// A Qwen3-style template (ChatML; `enable_thinking` empties the think block): the
    /// soft switch on the user message, and off equals the template with
    /// enable_thinking=false.
    @Test func qwen3TemplateGetsSoftSwitches() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let template = """
            {%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- if enable_thinking is defined and enable_thinking is false %}{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}{%- endif %}
            """
        let model = try Self.writeModel(vocab: "ggml-vocab-qwen2.gguf", arch: "qwen2", name: "Tiny Qwen3 test",
                                        template: template, in: dir)
        let on = try Self.showPrompt(model, ["--think", "on", "--prompt", "Name a color."])
        #expect(on.status == 0, "\(on.stderrText)")
        #expect(on.stdoutText == (try Self.jinja(template, user: "Name a color. /think")))
        let off = try Self.showPrompt(model, ["--think", "off", "--prompt", "Name a color."])
        #expect(off.stdoutText == (try Self.jinja(template, user: "Name a color. /no_think", extra: ["enable_thinking": false])))
        #expect(off.stdoutText.hasSuffix("<|im_start|>assistant\n<think>\n\n</think>\n\n"))
    }

    /// A DeepSeek-R1-distill-style template (its generation prompt opens `<think>`): on is
    /// the template's rendering; off is the empty think block.
    @Test func deepSeekR1TemplateOpensTheThinkBlock() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let template = """
            {{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] }}{% elif message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}{% elif message['role'] == 'assistant' %}{{ '<｜Assistant｜>' + message['content'] + '<｜end▁of▁sentence｜>' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}
            """
        let markers = ["<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>"]
        let model = try Self.writeModel(vocab: "ggml-vocab-qwen2.gguf", arch: "qwen2", name: "Tiny distill test",
                                        template: template, extraControl: markers, in: dir)
        let on = try Self.showPrompt(model, ["--think", "on", "--prompt", "Name a color."])
        #expect(on.status == 0, "\(on.stderrText)")
        #expect(on.stdoutText == (try Self.jinja(template, user: "Name a color.", bos: "<｜begin▁of▁sentence｜>")))
        let off = try Self.showPrompt(model, ["--think", "off", "--prompt", "Name a color."])
        #expect(off.stdoutText == "<｜begin▁of▁sentence｜><｜User｜>Name a color.<｜Assistant｜><think>\n\n</think>\n\n")
    }

    /// A bad profile name: one line naming the valid ones, non-zero exit, before any file is read.
    @Test func unknownProfileIsOneLineError() throws {
        for cmd in [["run", "--model", "/nonexistent.gguf", "--prompt", "x"], ["chat", "--model", "/nonexistent.gguf"],
                    ["replay", "/nonexistent.json", "--regenerate"]] {
            let r = try runProcess(try TestEnv.ponderBinary(), cmd + ["--reasoning-profile", "generic"])
            #expect(r.status != 0 && !r.signaled)
            let lines = r.stderrText.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("nemotron, qwen3, deepseek-r1, none"), "\(cmd[0]): \(r.stderrText)")
        }
    }
}
