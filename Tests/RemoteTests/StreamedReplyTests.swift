import Foundation
import Session
import Testing
@testable import Remote

/// Reasoning and answer out of a streamed reply, whichever way the server sends the
/// reasoning. The oracle for tags inside `content` is the embedded engine's own
/// `ThinkSplitter` on the whole reply at once; chunks here are cut at every position.
struct StreamedReplyTests {
    static func chunk(content: String? = nil, reasoning: String? = nil, field: String = "reasoning_content") throws -> ChatCompletionChunk {
        var delta: [String: String] = [:]
        if let content { delta["content"] = content }
        if let reasoning { delta[field] = reasoning }
        let json = try JSONSerialization.data(withJSONObject: ["choices": [["index": 0, "delta": delta]]])
        return try JSONDecoder().decode(ChatCompletionChunk.self, from: json)
    }

    static func run(_ chunks: [ChatCompletionChunk], profile: ReasoningProfile, mode: ReasoningMode) -> (String, String) {
        var r = StreamedReply(profile: profile, mode: mode)
        var reasoning = "", answer = ""
        for c in chunks { let o = r.feed(c); reasoning += o.reasoning; answer += o.answer }
        let o = r.finish(interrupted: false)
        return (reasoning + o.reasoning, answer + o.answer)
    }

    @Test func tagsInsideContentSplitAsTheEngineDoes() throws {
        let replies = ["<think>\nLet me see: 2+2.\n</think>\n\nIt is 4.", "It is 4.", "<think>\n</think>\n\nFour, déjà 日本.",
                       "Still thinking</think>\n\nDone."]
        for (profile, mode) in [(ReasoningProfile.nemotron, ReasoningMode.on), (.deepseekR1, .on), (.qwen3, .off)] {
            for reply in replies {
                var whole = ThinkSplitter(profile: profile, mode: mode)
                var o = whole.feed(Array(reply.utf8)); let e = whole.finish()
                o.reasoning += e.reasoning; o.answer += e.answer
                let expected = (String(decoding: o.reasoning, as: UTF8.self), String(decoding: o.answer, as: UTF8.self))
                let scalars = Array(reply.unicodeScalars)
                for cut in 1...4 {
                    let pieces = stride(from: 0, to: scalars.count, by: cut).map {
                        String(String.UnicodeScalarView(scalars[$0..<min(scalars.count, $0 + cut)]))
                    }
                    let got = Self.run(try pieces.map { try Self.chunk(content: $0) }, profile: profile, mode: mode)
                    #expect(got == expected, "\(profile) \(mode) \(reply.debugDescription) in pieces of \(cut)")
                }
            }
        }
    }

    @Test func aReasoningFieldMakesContentTheAnswer() throws {
        for field in ["reasoning_content", "reasoning"] {
            let chunks = [try Self.chunk(reasoning: "\n", field: field), try Self.chunk(reasoning: "Two plus two", field: field),
                          try Self.chunk(reasoning: " is four.\n\n", field: field), try Self.chunk(content: "\n\n"),
                          try Self.chunk(content: "4"), try Self.chunk(content: ".\n")]
            // deepseek-r1/on starts in reasoning: with a parser, content is still the answer.
            for profile in [ReasoningProfile.nemotron, .deepseekR1] {
                let (r, a) = Self.run(chunks, profile: profile, mode: .on)
                #expect(r == "Two plus two is four.")
                #expect(a == "4.")
            }
        }
    }
}
