import Foundation
import Testing
import Session

/// Hostile session files: each gives one clear one-line error naming what is wrong.
@Suite struct BadFileTests {
    /// A minimal valid document, as JSON text, with `turn` spliced in as its only turn.
    static func document(version: String = "1", magic: String = "\"ponder-session\"", turnPatch: (String) -> String = { $0 }) -> String {
        let turn = """
            {"index":0,"user":"u","mode":"on","seed":7,"reasoning":"r","answer":"a","stopReason":"end_of_turn",
             "sampling":{"temperature":0.6,"topK":0,"topP":0.95,"minP":0,"repetitionPenalty":1,"repetitionWindow":64,"maxTokens":100},
             "stats":{"promptTokens":1,"cachedTokens":0,"reasoningTokens":1,"answerTokens":1,"wallTime":0.5,"contextUsed":3,"contextSize":10},
             "startedAt":1,"tokens":[1,2],"tokenTimes":[0.1,0.2],"stream":[{"t":0.1,"c":"r","text":"r"}]}
            """
        return """
            {"magic":\(magic),"version":\(version),"created":1,"chatFormat":"chatml","notices":[],
             "settings":\(settingsJSON),
             "turns":[\(turnPatch(turn))]}
            """
    }

    static var settingsJSON: String {
        String(decoding: try! JSONEncoder().encode(SessionSettings()), as: UTF8.self)
    }

    static func error(_ text: String) -> String? { error(Array(text.utf8)) }
    static func error(_ bytes: [UInt8]) -> String? {
        do { _ = try SessionLoader.load(bytes: bytes, path: "f.json"); return nil }
        catch let e as SessionLoadError { return e.description }
        catch { return "unexpected error type: \(error)" }
    }

    @Test func theValidBaselineLoads() {
        #expect(Self.error(Self.document()) == nil)
    }

    @Test(arguments: [
        ("", "empty file"),
        ("   \n", "empty file"),
        ("hello", "not JSON"),
        ("\u{0}\u{1}binary", "not JSON"),
        ("{", "not valid JSON"),
        ("{\"version\":1}", "magic is missing"),
        ("[1,2]", "not JSON"),
    ] as [(String, String)])
    func junk(_ text: String, _ expected: String) {
        let e = Self.error(text)
        #expect(e?.contains(expected) == true, "\(String(describing: e))")
        #expect(e?.contains("\n") == false)
    }

    @Test(arguments: [
        (document(version: "2"), "unsupported session version 2"),
        (document(version: "\"1\""), "version: expected an integer"),
        (document(magic: "\"other\""), "not a ponder session"),
        (document(version: "99999999999999999999999"), "version: number out of range"),
        (document { $0.replacingOccurrences(of: "\"seed\":7", with: "\"seed\":\"x\"") }, "turns[0].seed: expected an integer"),
        (document { $0.replacingOccurrences(of: "\"seed\":7", with: "\"seed\":-7") }, "turns[0].seed: number out of range"),
        (document { $0.replacingOccurrences(of: "\"seed\":7", with: "\"seed\":1e400") }, "Number 1e400 is not representable"),
        (document { $0.replacingOccurrences(of: "\"seed\":7", with: "\"seed\":18446744073709551616") }, "turns[0].seed: number out of range"),
        (document { $0.replacingOccurrences(of: "\"index\":0", with: "\"index\":99999999999999999999") }, "turns[0].index: number out of range"),
        (document { $0.replacingOccurrences(of: "\"index\":0", with: "\"index\":5") }, "turns[0].index: is 5"),
        (document { $0.replacingOccurrences(of: "[1,2]", with: "[1.5,2]") }, "turns[0].tokens[0]: number out of range"),
        (document { $0.replacingOccurrences(of: "[1,2]", with: "[1]") }, "1 tokens but 2 token times"),
        (document { $0.replacingOccurrences(of: "[0.1,0.2]", with: "[0.1,1e308]") }, "turns[0].tokenTimes[1]: not a time"),
        (document { $0.replacingOccurrences(of: "\"mode\":\"on\"", with: "\"mode\":\"maybe\"") }, "turns[0].mode"),
        (document { $0.replacingOccurrences(of: "\"user\":\"u\",", with: "") }, "missing field turns[0].user"),
        (document { $0.replacingOccurrences(of: "\"temperature\":0.6", with: "\"temperature\":-1") }, "turns[0].sampling: temperature"),
        (document { $0.replacingOccurrences(of: "\"wallTime\":0.5", with: "\"wallTime\":null") }, "turns[0].stats.wallTime"),
        (document { $0.replacingOccurrences(of: "\"contextUsed\":3", with: "\"contextUsed\":-3") }, "negative count"),
        (document { _ in "{}" }, "missing field turns[0]"),
        (String(document().replacingOccurrences(of: "\"turns\":[", with: "\"turns\":{\"a\":").dropLast(2)) + "}}", "turns: expected a list"),
        (document().replacingOccurrences(of: "\"chatml\"", with: "\"klingon\""), "unknown format"),
        ("{\"magic\":\"ponder-session\",\"version\":1,\"x\":" + String(repeating: "[", count: 100_000), "nested deeper"),
    ] as [(String, String)])
    func hostileDocuments(_ text: String, _ expected: String) {
        let e = Self.error(text)
        #expect(e != nil)
        #expect(e?.contains(expected) == true, "GOT \(String(describing: e))")
        #expect(e?.contains("\n") == false, "\(String(describing: e))")
        #expect(e?.hasPrefix("f.json: ") == true)
    }

    /// A document cut at every 7th byte never loads silently and never crashes.
    @Test func truncatedDocumentsFailWithOneLine() {
        let full = Array(Self.document().utf8)
        for cut in stride(from: 0, to: full.count - 1, by: 7) {
            let e = Self.error(Array(full[..<cut]))
            #expect(e != nil && e?.contains("\n") == false, "cut at \(cut): \(String(describing: e))")
        }
    }

    @Test func badJournals() {
        let header = "{\"k\":\"header\",\"magic\":\"ponder-journal\",\"version\":1,\"created\":0,\"format\":\"chatml\",\"settings\":\(Self.settingsJSON)}\n"
        let cases: [(String, String)] = [
            (header.replacingOccurrences(of: "\"version\":1", with: "\"version\":9"), "unsupported journal version 9"),
            (header + "{\"k\":\"text\",\"index\":0,\"r\":\"x\"}\n", "line 2: text for a turn that is not in flight"),
            (header + "garbage\n{\"k\":\"notice\",\"text\":\"n\"}\n", "line 2: not valid JSON"),
            (header + header, "line 2: a second header"),
            (header + "{\"k\":\"end\"}\n", "line 2: turn end out of order"),
        ]
        for (text, expected) in cases {
            let e = Self.error(text)
            #expect(e?.contains(expected) == true, "\(String(describing: e))")
            #expect(e?.contains("\n") == false)
        }
        // A torn last line is a warning, not an error.
        let loaded = try? SessionLoader.load(bytes: Array((header + "{\"k\":\"notice\",\"te").utf8), path: "j")
        #expect(loaded?.warnings.first?.contains("torn") == true)
    }

    @Test func filesystemProblems() throws {
        let dir = try temporaryDirectory()
        for (url, expected) in [(dir, "not a regular file"), (dir.appendingPathComponent("missing.json"), "cannot open")] {
            do { _ = try SessionLoader.load(url); Issue.record("loaded \(url.path)") }
            catch let e as SessionLoadError {
                #expect(e.description.contains(expected) && !e.description.contains("\n"), "\(e)")
            }
        }
    }
}
