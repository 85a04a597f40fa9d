import Foundation
import Testing
import Session
import Tokenizer

/// Collects every event of a conversation until its stream ends (at `close()`).
func collectEvents(_ conv: Conversation) -> Task<[SessionEvent], Never> {
    Task {
        var out: [SessionEvent] = []
        for await e in conv.events { out.append(e) }
        return out
    }
}

/// Splits `text` into token pieces at the given byte offsets.
func pieces(_ text: String, cuts: [Int]) -> [[UInt8]] {
    let b = Array(text.utf8)
    var out: [[UInt8]] = []
    var start = 0
    for c in cuts.sorted() + [b.count] where c > start && c <= b.count {
        out.append(Array(b[start..<c])); start = c
    }
    return out
}

/// Checks the stream's contract against the finished records: per turn, one
/// `turnStarted` first, one `turnFinished` last, nothing of another turn in between;
/// turns in index order; the streamed text equals the recorded text.
func checkStream(_ events: [SessionEvent], _ turns: [TurnRecord], sourceLocation: SourceLocation = #_sourceLocation) {
    var current: Int?
    var finished = -1
    var reasoning: [Int: String] = [:], answer: [Int: String] = [:]
    for e in events {
        switch e {
        case .turnStarted(let i, _):
            #expect(current == nil && i == finished + 1, "turn \(i) started out of order", sourceLocation: sourceLocation)
            current = i
        case .reasoning(let i, let t):
            #expect(i == current, "reasoning for turn \(i) while \(String(describing: current)) runs", sourceLocation: sourceLocation)
            reasoning[i, default: ""] += t
        case .answer(let i, let t):
            #expect(i == current, "answer for turn \(i) while \(String(describing: current)) runs", sourceLocation: sourceLocation)
            answer[i, default: ""] += t
        case .stats(let i, _), .prefillProgress(let i, _, _):
            #expect(i == current, "event for turn \(i) outside it", sourceLocation: sourceLocation)
        case .turnFinished(let i, let reason, let stats):
            #expect(i == current, sourceLocation: sourceLocation)
            if i < turns.count {
                #expect(turns[i].stopReason == reason && turns[i].stats == stats, sourceLocation: sourceLocation)
            }
            current = nil
            finished = i
        case .notice, .error:
            break
        }
    }
    #expect(current == nil, "a turn never finished", sourceLocation: sourceLocation)
    #expect(finished == turns.count - 1, "\(finished + 1) turns finished, \(turns.count) recorded", sourceLocation: sourceLocation)
    for t in turns {
        #expect(reasoning[t.index, default: ""] == t.reasoning, "turn \(t.index) reasoning", sourceLocation: sourceLocation)
        #expect(answer[t.index, default: ""] == t.answer, "turn \(t.index) answer", sourceLocation: sourceLocation)
    }
}

/// Token ids of a rendered prompt in the scripted test double's vocabulary (earlier
/// replies decoded from their byte tokens, as the session does).
func promptTokens(_ format: ChatFormat, _ settings: SessionSettings, _ mode: ReasoningMode,
                  _ history: [PromptTurn], _ user: String) -> [Int32] {
    let b = ScriptedBackend { _ in [] }
    return (try? b.encode(TurnPrompt.render(format: format, settings: settings, mode: mode, history: history,
                                            user: user, decode: b.tokenPiece))) ?? []
}

func temporaryDirectory() throws -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}
