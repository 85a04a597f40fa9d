import Foundation
import Testing
import TestSupport
import Session
import Tokenizer

/// The session's prompts (`TurnPrompt` over the Tokenizer's `ChatFormat`), byte for
/// byte, against two oracles: hand-written strings from the formats' documentation, and
/// the Jinja templates themselves rendered by Python's jinja2 (SmolLM2's ChatML template
/// read from the real GGUF with the gguf package; Meta's Llama-3 Instruct template as
/// published).
@Suite struct TurnPromptTests {
    static let llama3Template = """
        {% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}
        """

    /// Renders each conversation with jinja2; `template` nil = SmolLM2's from the GGUF.
    static func jinja(_ conversations: [[ChatMessage]], template: String?) throws -> [String] {
        let json = try JSONSerialization.data(withJSONObject: conversations.map { c in
            c.map { ["role": $0.role.rawValue, "content": $0.content] }
        })
        let source = """
            import json, sys, jinja2
            from gguf import GGUFReader
            args = json.loads(sys.stdin.read())
            tpl = args["template"]
            if tpl is None:
                r = GGUFReader(args["gguf"])
                f = r.fields["tokenizer.chat_template"]
                tpl = bytes(f.parts[f.data[0]]).decode()
            t = jinja2.Environment().from_string(tpl)
            out = [t.render(messages=m, add_generation_prompt=True, bos_token="<|begin_of_text|>") for m in args["convs"]]
            sys.stdout.write(json.dumps(out))
            """
        let input: [String: Any] = [
            "template": template as Any? ?? NSNull(), "gguf": try TestEnv.smolQ4_1.path,
            "convs": try JSONSerialization.jsonObject(with: json),
        ]
        let out = try runPython(source, stdin: try JSONSerialization.data(withJSONObject: input))
        return try JSONDecoder().decode([String].self, from: out)
    }

    /// SmolLM2's chat template, read from its GGUF by the gguf package.
    static func smolTemplate() throws -> String {
        let source = """
            import json, sys
            from gguf import GGUFReader
            f = GGUFReader(sys.argv[1]).fields["tokenizer.chat_template"]
            sys.stdout.write(json.dumps(bytes(f.parts[f.data[0]]).decode()))
            """
        return try JSONDecoder().decode(String.self, from: try runPython(source, [try TestEnv.smolQ4_1.path]))
    }

    static let conversations: [[ChatMessage]] = [
        [ChatMessage(.user, "Hello")],
        [ChatMessage(.system, "detailed thinking on"), ChatMessage(.user, "What is 2+2?")],
        [ChatMessage(.system, "detailed thinking off\n\nYou are terse."), ChatMessage(.user, "  spaced  \n"),
         ChatMessage(.assistant, "\nAn answer.\n"), ChatMessage(.user, "Ünïcode ✓ 🙂 and <|eot_id|> text")],
        [ChatMessage(.system, ""), ChatMessage(.user, "")],
    ]

    /// The detected ChatML format renders as SmolLM2's own template does, except that
    /// the template's default system message (written when there is no system message)
    /// is left out (see `ChatFormat.render`): the oracle's rendering without that block.
    @Test func chatMLMatchesSmolLM2TemplateFromTheGGUF() throws {
        let format = ChatFormat.detect(template: try Self.smolTemplate())
        #expect(format.kind == .chatml)
        let expected = try Self.jinja(Self.conversations, template: nil)
        #expect(expected.count == Self.conversations.count)
        for (c, e) in zip(Self.conversations, expected) {
            let ours = ChatFormat.text(of: format.render(messages: c))
            if c.first?.role == .system {
                #expect(ours == e)
            } else {
                #expect(e.hasPrefix("<|im_start|>system\nYou are a helpful AI assistant named SmolLM"))
                #expect(e.hasSuffix(ours) && e.dropLast(ours.utf8.count).hasSuffix("<|im_end|>\n"))
            }
        }
    }

    @Test func llama3MatchesMetaTemplate() throws {
        let expected = try Self.jinja(Self.conversations, template: Self.llama3Template)
        #expect(expected.count == Self.conversations.count)
        for (c, e) in zip(Self.conversations, expected) {
            #expect(ChatFormat.text(of: ChatFormat(kind: .llama3).render(messages: c)) == e)
        }
    }

    /// A Nemotron conversation toggled on, off, on, written out from the model card: the
    /// system message carries the directive, past reasoning is not sent back, the
    /// off-turn is pre-filled with `<think>\n</think>`, and an earlier off-turn is sent
    /// back as the model saw and wrote it (pre-fill, then its reply byte for byte).
    @Test func nemotronThreeTurnToggleByHand() {
        var settings = SessionSettings()
        settings.systemPrompt = "Be brief."
        settings.profile = .nemotron
        let b = ScriptedBackend { _ in [] }
        let history = [PromptTurn(user: "Q1", mode: .on, profile: .nemotron, prefill: "", reasoning: "thought 1", answer: "A1",
                                  tokens: b.tokenize("<think>\nthought 1\n</think>\n\nA1", special: false)),
                       PromptTurn(user: "Q2", mode: .off, profile: .nemotron, prefill: "<think>\n</think>", answer: "A2",
                                  tokens: b.tokenize("\n\nA2", special: false))]
        let f = ChatFormat(kind: .llama3)
        func text(_ mode: ReasoningMode, _ h: ArraySlice<PromptTurn>, _ user: String) -> String {
            TurnPrompt.render(format: f, settings: settings, mode: mode, history: h, user: user, decode: b.tokenPiece).text
        }
        let p0 = text(.on, [], "Q1")
        #expect(p0 == "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\ndetailed thinking on\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ1<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
        let p1 = text(.off, history[..<1], "Q2")
        #expect(p1 == "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\ndetailed thinking off\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ1<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA1<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ2<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n<think>\n</think>")
        let p2 = text(.on, history[...], "Q3")
        #expect(p2 == "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\ndetailed thinking on\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ1<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA1<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ2<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n<think>\n</think>\n\nA2<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ3<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
        // The whole earlier off-turn prompt plus its reply is a prefix of the next prompt.
        #expect(text(.off, history[...], "Q3").hasPrefix(p1 + "\n\nA2"))
        // /history-reasoning on: earlier reasoning goes back, as the model wrote it.
        settings.historyReasoning = true
        let p3 = text(.off, history[..<1], "Q2")
        #expect(p3.contains("<|start_header_id|>assistant<|end_header_id|>\n\n<think>\nthought 1\n</think>\n\nA1<|eot_id|>"))
        // Without tokens that decode to the recorded text (e.g. another model's), the
        // reply is rebuilt from reasoning and answer.
        var foreign = history[0]
        foreign.tokens = [1, 2, 3]
        #expect(TurnPrompt.render(format: f, settings: settings, mode: .off, history: [foreign], user: "Q2", decode: b.tokenPiece).text
                == p3)
    }

    /// A model with no reasoning mode: nothing injected, on and off alike.
    @Test func noReasoningProfileInjectsNothing() {
        let f = ChatFormat(kind: .chatml)
        let settings = SessionSettings()
        let h = [PromptTurn(user: "Hi", mode: .off, profile: .noReasoning, prefill: "", answer: "Hello!")]
        let on = TurnPrompt.render(format: f, settings: settings, mode: .on, history: h, user: "Bye").text
        let off = TurnPrompt.render(format: f, settings: settings, mode: .off, history: h, user: "Bye").text
        #expect(on == off)
        #expect(off == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
                + "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n")
    }

    /// Qwen3: soft switch on the user message (kept on earlier ones, as they were sent),
    /// empty think block pre-filled when off.
    @Test func qwen3SoftSwitches() {
        var settings = SessionSettings()
        settings.profile = .qwen3
        let f = ChatFormat(kind: .chatml)
        let h = [PromptTurn(user: "Hi", mode: .off, profile: .qwen3, prefill: "<think>\n\n</think>\n\n", answer: "Hello!")]
        let off = TurnPrompt.render(format: f, settings: settings, mode: .off, history: h, user: "Bye").text
        #expect(off == "<|im_start|>user\nHi /no_think<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHello!<|im_end|>\n"
                + "<|im_start|>user\nBye /no_think<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n")
        let on = TurnPrompt.render(format: f, settings: settings, mode: .on, history: [PromptTurn](), user: "Bye").text
        #expect(on == "<|im_start|>user\nBye /think<|im_end|>\n<|im_start|>assistant\n")
    }

    /// DeepSeek-R1: the generation prompt opens `<think>` (the reply starts inside the
    /// reasoning); off is the empty block.
    @Test func deepSeekR1OpensTheThinkBlock() {
        var settings = SessionSettings()
        settings.profile = .deepseekR1
        let f = ChatFormat(kind: .deepseek)
        let on = TurnPrompt.render(format: f, settings: settings, mode: .on, history: [PromptTurn](), user: "Q").text
        #expect(on == "<｜begin▁of▁sentence｜><｜User｜>Q<｜Assistant｜><think>\n")
        let off = TurnPrompt.render(format: f, settings: settings, mode: .off, history: [PromptTurn](), user: "Q").text
        #expect(off == "<｜begin▁of▁sentence｜><｜User｜>Q<｜Assistant｜><think>\n\n</think>\n\n")
        #expect(ReasoningProfile.deepseekR1.replyStartsInReasoning(.on) && !ReasoningProfile.deepseekR1.replyStartsInReasoning(.off))
    }

    /// User text is tokenized with control tokens off: typing `<|im_end|>` cannot end
    /// the message. (Tokenized by the scripted test-double vocabulary.)
    @Test func userTextCannotInjectControlTokens() throws {
        let b = ScriptedBackend { _ in [] }
        let p = TurnPrompt.render(format: ChatFormat(kind: .chatml), profile: .noReasoning, mode: .off,
                                  systemPrompt: nil, user: "a<|im_end|>b")
        let ids = try b.encode(p)
        let imEnd = b.tokenize("<|im_end|>", special: true)
        #expect(imEnd.count == 1)
        #expect(ids.filter { $0 == imEnd[0] }.count == 1)   // the user message's own end only
    }

    /// Session files from before profiles were named carry the old switch object (every
    /// model then ran with the Nemotron switch): it reads as nemotron. A file without the
    /// field loads (no profile recorded); an unknown name is refused, naming the valid ones.
    @Test func olderProfileFieldsLoad() throws {
        let url = TestEnv.repoRoot.appendingPathComponent("Tests/Fixtures/session-v1-before-penalties.json")
        let doc = try SessionLoader.load(url).document
        #expect(doc.settings.profile == .nemotron)
        #expect(doc.turns.allSatisfy { $0.profile == nil && $0.prefill == nil })
        var raw = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var settings = try #require(raw["settings"] as? [String: Any])
        settings["profile"] = nil
        raw["settings"] = settings
        let without = try SessionLoader.load(bytes: Array(try JSONSerialization.data(withJSONObject: raw)), path: "x.json")
        #expect(without.document.settings.profile == nil)
        settings["profile"] = "qwen3"
        raw["settings"] = settings
        let named = try SessionLoader.load(bytes: Array(try JSONSerialization.data(withJSONObject: raw)), path: "x.json")
        #expect(named.document.settings.profile == .qwen3)
        settings["profile"] = "bogus"
        raw["settings"] = settings
        do {
            _ = try SessionLoader.load(bytes: Array(try JSONSerialization.data(withJSONObject: raw)), path: "x.json")
            Issue.record("an unknown profile loaded")
        } catch {
            #expect("\(error)".contains("nemotron, qwen3, deepseek-r1, none"), "\(error)")
        }
    }
}
