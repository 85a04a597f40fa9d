import Foundation
import Testing
import Session

/// The think-tag splitter on scripted byte streams. Expected results are written from
/// the rules in ThinkSplitter's documentation, not taken from its output.
@Suite struct ThinkSplitterTests {
    struct Case: Sendable, CustomStringConvertible {
        var input: String
        var startsInReasoning = false
        var reasoning: String
        var answer: String
        var description: String { input.debugDescription }
    }

    static let cases: [Case] = [
        Case(input: "<think>\nLet me see.\n</think>\n\nThe answer is 4.", reasoning: "Let me see.", answer: "The answer is 4."),
        Case(input: "\n<think>a b</think>c", reasoning: "a b", answer: "c"),
        Case(input: "<think></think>Answer.", reasoning: "", answer: "Answer."),
        Case(input: "<think>\n\n</think>\n\nAnswer.", reasoning: "", answer: "Answer."),
        Case(input: "No tags at all. ", reasoning: "", answer: "No tags at all."),
        Case(input: "", reasoning: "", answer: ""),
        Case(input: "<think>\nI was cut off mid-thou", reasoning: "I was cut off mid-thou", answer: ""),
        Case(input: "<think>cut inside the tag </thi", reasoning: "cut inside the tag </thi", answer: ""),
        Case(input: "<thi", reasoning: "", answer: "<thi"),
        Case(input: "<thinking>", reasoning: "", answer: "<thinking>"),
        Case(input: "<think>x<</think>y", reasoning: "x<", answer: "y"),
        Case(input: "<think>a<b</c <</ </t</think>d", reasoning: "a<b</c <</ </t", answer: "d"),
        Case(input: "<think>a</think>b<think>c</think>d", reasoning: "a", answer: "b<think>c</think>d"),
        Case(input: "<think>ünï 🙂 çødé</think>\nÉ✓", reasoning: "ünï 🙂 çødé", answer: "É✓"),
        // Missing open tag: reasoning when the profile says replies start inside it.
        Case(input: "thinking without a tag\n</think>\n\nanswer", startsInReasoning: true,
             reasoning: "thinking without a tag", answer: "answer"),
        Case(input: "<think>\nexplicit</think>answer", startsInReasoning: true, reasoning: "explicit", answer: "answer"),
        Case(input: "</think>only answer", startsInReasoning: true, reasoning: "", answer: "only answer"),
        Case(input: "never closed", startsInReasoning: true, reasoning: "never closed", answer: ""),
        // Without that, a stray close tag is dropped and the text stays answer.
        Case(input: "abc </think>xyz", reasoning: "", answer: "abc xyz"),
    ]

    /// Runs the splitter over `chunks`, through the UTF-8 assemblers, checking that every
    /// emitted string is valid UTF-8 on its own.
    static func run(_ chunks: [[UInt8]], startsInReasoning: Bool) -> (String, String) {
        var s = ThinkSplitter(startsInReasoning: startsInReasoning)
        var ra = Utf8Assembler(), aa = Utf8Assembler()
        var r = "", a = ""
        for c in chunks {
            let o = s.feed(c)
            r += ra.feed(o.reasoning); a += aa.feed(o.answer)
        }
        let o = s.finish()
        r += ra.feed(o.reasoning) + ra.finish()
        a += aa.feed(o.answer) + aa.finish()
        return (r, a)
    }

    @Test(arguments: cases) func wholeInput(_ c: Case) {
        let (r, a) = Self.run([Array(c.input.utf8)], startsInReasoning: c.startsInReasoning)
        #expect(r == c.reasoning)
        #expect(a == c.answer)
    }

    @Test(arguments: cases) func splitAtEveryBytePosition(_ c: Case) {
        let bytes = Array(c.input.utf8)
        guard bytes.count > 1 else { return }
        for cut in 1..<bytes.count {
            let (r, a) = Self.run([Array(bytes[..<cut]), Array(bytes[cut...])], startsInReasoning: c.startsInReasoning)
            #expect(r == c.reasoning, "cut at \(cut)")
            #expect(a == c.answer, "cut at \(cut)")
        }
    }

    @Test(arguments: cases) func everyPairOfCuts(_ c: Case) {
        let bytes = Array(c.input.utf8)
        guard bytes.count > 2 else { return }
        for i in 1..<bytes.count - 1 {
            for j in i + 1..<bytes.count {
                let chunks = [Array(bytes[..<i]), Array(bytes[i..<j]), Array(bytes[j...])]
                let (r, a) = Self.run(chunks, startsInReasoning: c.startsInReasoning)
                #expect(r == c.reasoning && a == c.answer, "cuts at \(i), \(j)")
            }
        }
    }

    @Test(arguments: cases) func oneBytePerChunk(_ c: Case) {
        let (r, a) = Self.run(Array(c.input.utf8).map { [$0] }, startsInReasoning: c.startsInReasoning)
        #expect(r == c.reasoning)
        #expect(a == c.answer)
    }

    @Test func utf8AssemblerHoldsBackSplitSequences() {
        let text = "aé🙂ü✓"
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            var u = Utf8Assembler()
            let first = u.feed(Array(bytes[..<cut]))
            let second = u.feed(Array(bytes[cut...]))
            #expect(first + second + u.finish() == text)
            #expect(!first.contains("\u{FFFD}"), "cut at \(cut)")
        }
        var u = Utf8Assembler()
        #expect(u.feed([0xF0, 0x9F]) == "")
        #expect(u.finish() == "\u{FFFD}")     // cut-off sequence at the end of a reply
        var v = Utf8Assembler()
        #expect(v.feed([0x80, 0x41]) == "\u{FFFD}A")
    }

    @Test func interruptedInsideTheOpenTagDropsThePartialTag() {
        var c = ThinkSplitter()
        #expect(c.feed(Array("<think>abc </thi".utf8)).reasoning == Array("abc".utf8))
        #expect(c.finish(interrupted: true).isEmpty)
        for partial in ["<", "<th", "\n<think", "<think>"] {
            var s = ThinkSplitter()
            _ = s.feed(Array(partial.utf8))
            #expect(s.finish(interrupted: true).isEmpty, "\(partial.debugDescription)")
        }
        var s = ThinkSplitter()
        #expect(s.feed(Array("<thx".utf8)).answer == Array("<thx".utf8))
        #expect(s.finish(interrupted: true).isEmpty)
        var t = ThinkSplitter()
        _ = t.feed(Array("<th".utf8))
        #expect(t.finish(interrupted: false).answer == Array("<th".utf8))
    }

    @Test func inReasoningTracksTheBudgetChannel() {
        var s = ThinkSplitter()
        #expect(!s.inReasoning)
        _ = s.feed(Array("<think>".utf8))
        #expect(s.inReasoning)
        _ = s.feed(Array("abc</think>".utf8))
        #expect(!s.inReasoning)
        #expect(s.closedReasoning)
        #expect(ThinkSplitter(startsInReasoning: true).inReasoning)
    }
}
