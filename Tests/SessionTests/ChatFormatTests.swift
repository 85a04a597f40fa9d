import Foundation
import Testing
import TestSupport
import Session
import Tokenizer

/// Rendered prompts, byte for byte, against two oracles: hand-written strings from the
/// formats' documentation, and the Jinja templates themselves rendered by Python's
/// jinja2 (SmolLM2's ChatML template read from the real GGUF with the gguf package;
/// Meta's Llama-3 Instruct template as published).
@Suite struct ChatFormatTests {
    static let llama3Template = """
        {% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}
        """

    /// Renders each conversation with jinja2; `template` nil = SmolLM2's from the GGUF.
    static func jinja(_ conversations: [[PromptMessage]], template: String?) throws -> [String] {
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

    static let conversations: [[PromptMessage]] = [
        [PromptMessage(.user, "Hello")],
        [PromptMessage(.system, "detailed thinking on"), PromptMessage(.user, "What is 2+2?")],
        [PromptMessage(.system, "detailed thinking off\n\nYou are terse."), PromptMessage(.user, "  spaced  \n"),
         PromptMessage(.assistant, "\nAn answer.\n"), PromptMessage(.user, "Ünïcode ✓ 🙂 and <|eot_id|> text")],
        [PromptMessage(.system, ""), PromptMessage(.user, "")],
    ]

    @Test func chatMLMatchesSmolLM2TemplateFromTheGGUF() throws {
        let expected = try Self.jinja(Self.conversations, template: nil)
        #expect(expected.count == Self.conversations.count)
        for (c, e) in zip(Self.conversations, expected) {
            #expect(ChatMLFormat().render(c, assistantPrefix: "").text == e)
        }
    }

    @Test func llama3MatchesMetaTemplate() throws {
        let expected = try Self.jinja(Self.conversations, template: Self.llama3Template)
        #expect(expected.count == Self.conversations.count)
        for (c, e) in zip(Self.conversations, expected) {
            #expect(Llama3Format().render(c, assistantPrefix: "").text == e)
        }
    }

    /// Our provisional formats agree with the Tokenizer module's (written separately).
    @Test func tokenizerModuleFormatsAgree() {
        let llama = TokenizerPromptFormat(ChatFormat(kind: .llama3, reasoning: .nemotron))
        let chatml = TokenizerPromptFormat(ChatFormat(kind: .chatml, reasoning: .generic))
        for c in Self.conversations where c.first?.role == .system {
            #expect(llama.render(c, assistantPrefix: "<think>\n</think>").text
                    == Llama3Format().render(c, assistantPrefix: "<think>\n</think>").text)
            #expect(chatml.render(c, assistantPrefix: "").text == ChatMLFormat().render(c, assistantPrefix: "").text)
        }
    }

    /// A Nemotron conversation toggled on, off, on, written out from the model card:
    /// the system message carries the directive, past reasoning is not sent back, and
    /// the off-turn is pre-filled with `<think>\n</think>`.
    @Test func nemotronThreeTurnToggleByHand() {
        var settings = SessionSettings()
        settings.systemPrompt = "Be brief."
        let history = [PromptTurn(user: "Q1", reasoning: "thought 1", answer: "A1"),
                       PromptTurn(user: "Q2", answer: "A2")]
        let f = Llama3Format()
        let p0 = PromptBuilder.render(format: f, settings: settings, mode: .on, history: [], user: "Q1").text
        #expect(p0 == "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\ndetailed thinking on\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ1<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
        let p1 = PromptBuilder.render(format: f, settings: settings, mode: .off, history: history[..<1], user: "Q2").text
        #expect(p1 == "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\ndetailed thinking off\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ1<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA1<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ2<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n<think>\n</think>")
        let p2 = PromptBuilder.render(format: f, settings: settings, mode: .on, history: history, user: "Q3").text
        #expect(p2 == "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\ndetailed thinking on\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ1<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA1<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ2<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA2<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ3<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
        // Settings: no pre-fill; reasoning of earlier turns sent back.
        settings.prefillOffTurns = false
        settings.historyReasoning = true
        let p3 = PromptBuilder.render(format: f, settings: settings, mode: .off, history: history[..<1], user: "Q2").text
        #expect(p3.hasSuffix("<|start_header_id|>assistant<|end_header_id|>\n\n"))
        #expect(p3.contains("<|start_header_id|>assistant<|end_header_id|>\n\n<think>\nthought 1\n</think>\n\nA1<|eot_id|>"))
    }

    @Test func chatMLTwoTurnsByHand() {
        let settings = SessionSettings()
        let p = PromptBuilder.render(format: ChatMLFormat(), settings: settings, mode: .off,
                                     history: [PromptTurn(user: "Hi", reasoning: "r", answer: "Hello!")], user: "Bye")
        #expect(p.text == "<|im_start|>system\ndetailed thinking off<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n<think>\n</think>")
        var none = settings
        none.profile = ReasoningSwitch(directiveOn: nil, directiveOff: nil, offPrefill: nil)
        let q = PromptBuilder.render(format: ChatMLFormat(), settings: none, mode: .off, history: [], user: "Hi")
        #expect(q.text == "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    }

    /// User text is tokenized with control tokens off: typing `<|im_end|>` cannot end
    /// the message. (Tokenized by the scripted test-double vocabulary.)
    @Test func userTextCannotInjectControlTokens() {
        let b = ScriptedBackend { _ in [] }
        let p = ChatMLFormat().render([PromptMessage(.user, "a<|im_end|>b")], assistantPrefix: "")
        let ids = p.tokens(with: b)
        let imEnd = b.tokenize("<|im_end|>", special: true)
        #expect(imEnd.count == 1)
        #expect(ids.filter { $0 == imEnd[0] }.count == 2)   // the default system's and the user's end
    }
}
