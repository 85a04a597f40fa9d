import Foundation
import Testing
import Engine
import Session
import TestSupport

/// `SamplingSettings` (the persisted sampler record) against the Engine's
/// `SamplingParameters` (the runtime shape), and the file format across versions.
@Suite struct SamplingRecordTests {
    /// The presets are the Engine's, and the conversion is lossless both ways.
    @Test func presetsAndConversionAgreeWithTheEngine() {
        #expect(SamplingSettings.thinking.engineParameters == SamplingParameters.thinking)
        #expect(SamplingSettings.direct.engineParameters == SamplingParameters.direct)
        // Float 0.6 is recorded as the decimal 0.6, as a user would write it.
        #expect(SamplingSettings.thinking.temperature == Double("\(SamplingParameters.thinking.temperature)"))
        let p = SamplingParameters(temperature: 0.7, topK: 40, topP: 0.9, minP: 0.05, repeatPenalty: 1.1,
                                   presencePenalty: 0.5, frequencyPenalty: 0.25, penaltyWindow: 128)
        let s = SamplingSettings(p, maxTokens: 77)
        #expect(s.engineParameters == p && s.maxTokens == 77)
        #expect(SamplingSettings(s.engineParameters, maxTokens: 77) == s)
        // And what the chain does with it: the engine's own chain from either shape picks alike.
        let logits: [Float] = (0..<64).map { Float(sin(Double($0) * 1.7)) * 3 }
        let history: ArraySlice<Int32> = [3, 5, 5, 9]
        for u in stride(from: 0.0, to: 1.0, by: 0.05) {
            #expect(s.engineParameters.makeChain().sample(logits, history: history, uniform: u)
                    == p.makeChain().sample(logits, history: history, uniform: u))
        }
    }

    /// A session file written before the penalties were recorded (made by the previous
    /// `ponder journal-stress`, kept in Tests/Fixtures) still loads; its sampler fields are
    /// the ones in the file, the missing penalties read as off, and it saves back in the
    /// current shape, which loads to the same document.
    @Test func aDocumentInTheOldShapeStillLoads() throws {
        let url = TestEnv.repoRoot.appendingPathComponent("Tests/Fixtures/session-v1-before-penalties.json")
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let rawTurns = raw?["turns"] as? [[String: Any]] ?? []
        #expect(!rawTurns.isEmpty)
        #expect(rawTurns.allSatisfy { ($0["sampling"] as? [String: Any])?["presencePenalty"] == nil })

        let doc = try SessionLoader.load(url).document
        #expect(doc.turns.count == rawTurns.count)
        for (t, r) in zip(doc.turns, rawTurns) {
            let s = r["sampling"] as? [String: Any] ?? [:]
            #expect(t.sampling.temperature == (s["temperature"] as? NSNumber)?.doubleValue)
            #expect(t.sampling.topP == (s["topP"] as? NSNumber)?.doubleValue)
            #expect(t.sampling.topK == (s["topK"] as? NSNumber)?.intValue)
            #expect(t.sampling.minP == (s["minP"] as? NSNumber)?.doubleValue)
            #expect(t.sampling.repetitionPenalty == (s["repetitionPenalty"] as? NSNumber)?.doubleValue)
            #expect(t.sampling.repetitionWindow == (s["repetitionWindow"] as? NSNumber)?.intValue)
            #expect(t.sampling.maxTokens == (s["maxTokens"] as? NSNumber)?.intValue)
            #expect(t.sampling.presencePenalty == 0 && t.sampling.frequencyPenalty == 0)
            // The recorded presets are today's presets.
            #expect(t.sampling == .preset(for: t.mode))
        }

        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let again = dir.appendingPathComponent("again.json")
        try doc.save(to: again, overwrite: false)
        #expect(try SessionLoader.load(again).document == doc)
        let text = try String(contentsOf: again, encoding: .utf8)
        #expect(text.contains("\"presencePenalty\" : 0"))
    }

    /// A sampler record missing a key that was always required is still an error.
    @Test func aMissingRequiredKeyIsRefused() throws {
        let json = #"{"temperature":0.5,"topK":0,"topP":1,"minP":0,"repetitionPenalty":1,"repetitionWindow":64}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SamplingSettings.self, from: Data(json.utf8)) }
        let ok = json.dropLast() + #","maxTokens":9}"#
        #expect(try JSONDecoder().decode(SamplingSettings.self, from: Data(ok.utf8)).maxTokens == 9)
    }
}
