import Foundation
import Testing
import TestSupport
import Tokenizer

/// `ponder tokenize` end to end: the built binary against the HF oracle, and bad input
/// giving one clear line and a non-zero exit (never a crash).
@Suite struct TokenizeCommandTests {
    static let texts = ["Hello world, it's 2026! <|im_end|>", "  spaced\tout\n\nlines 👨‍👩‍👧 café"]

    @Test func idsMatchOracle() throws {
        let ponder = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1.path
        let oracle = try Oracle.run("encode", mode: "smollm", path: model, input: Self.texts)
        for (i, text) in Self.texts.enumerated() {
            let r = try runProcess(ponder, ["tokenize", "--model", model, text])
            #expect(r.status == 0, "\(r.stderrText)")
            let ids = try JSONDecoder().decode([Int32].self, from: r.stdout)
            #expect(ids == oracle.ids[i])   // SmolLM2 adds no BOS
            // The same through --file - (standard input).
            let s = try runProcess(ponder, ["tokenize", "--model", model, "--file", "-"], stdin: Data(text.utf8))
            #expect(try JSONDecoder().decode([Int32].self, from: s.stdout) == oracle.ids[i])
        }
    }

    @Test func piecesAndBOS() throws {
        let ponder = try TestEnv.ponderBinary()
        let (path, cleanup) = try Fixtures.llama3Path()
        defer { cleanup() }
        let oracle = try Oracle.run("encode", mode: "llama3", path: path, template: Oracle.llama3Template,
                                    input: ["Hello world"])
        let r = try runProcess(ponder, ["tokenize", "--model", path, "Hello world"])
        #expect(try JSONDecoder().decode([Int32].self, from: r.stdout) == [128000] + oracle.ids[0])
        let n = try runProcess(ponder, ["tokenize", "--model", path, "--no-bos", "Hello world"])
        #expect(try JSONDecoder().decode([Int32].self, from: n.stdout) == oracle.ids[0])
        let p = try runProcess(ponder, ["tokenize", "--model", path, "--no-bos", "--pieces", "Hello world"])
        #expect(try JSONDecoder().decode([String].self, from: p.stdout) == ["Hello", "Ġworld"])
    }

    /// A file that starts with a byte-order mark is read byte-exact: Llama-3 gives U+FEFF
    /// tokens of its own, and `--file` must keep them as the HF tokenizer does.
    @Test func byteOrderMarkKept() throws {
        let ponder = try TestEnv.ponderBinary()
        let (path, cleanup) = try Fixtures.llama3Path()
        defer { cleanup() }
        let texts = ["\u{FEFF}Hello world", "Hello world"]
        let oracle = try Oracle.run("encode", mode: "llama3", path: path, template: Oracle.llama3Template,
                                    input: texts)
        #expect(oracle.ids[0] != oracle.ids[1])   // the mark has tokens of its own
        let file = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("bom.txt")
        try Data(texts[0].utf8).write(to: file)
        #expect(Array(try Data(contentsOf: file).prefix(3)) == [0xEF, 0xBB, 0xBF])
        let r = try runProcess(ponder, ["tokenize", "--model", path, "--no-bos", "--file", file.path])
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(try JSONDecoder().decode([Int32].self, from: r.stdout) == oracle.ids[0])
        // Standard input too.
        let s = try runProcess(ponder, ["tokenize", "--model", path, "--no-bos", "--file", "-"],
                               stdin: Data(texts[0].utf8))
        #expect(try JSONDecoder().decode([Int32].self, from: s.stdout) == oracle.ids[0])
        // Invalid UTF-8 after the mark is still one line naming the file.
        try Data([0xEF, 0xBB, 0xBF, 0x48, 0xFF, 0x69]).write(to: file)
        let bad = try runProcess(ponder, ["tokenize", "--model", path, "--file", file.path])
        #expect(bad.status != 0 && bad.stdout.isEmpty)
        #expect(bad.stderrText == "Error: \(file.path): not valid UTF-8 text\n", "\(bad.stderrText)")
    }

    @Test(arguments: [
        ["tokenize", "--model", "/nonexistent/model.gguf", "x"],
        ["tokenize", "--model", "/etc/hostname", "x"],
        ["tokenize", "--model", "MODEL", "--file", "/nonexistent/text", ],
        ["tokenize", "--model", "MODEL", "--file", "/etc/hostname", "x"],
        ["tokenize", "--model", "MODEL", "--ids", "--pieces", "x"],
        ["tokenize", "--model", "MODEL"],
    ])
    func badInputFailsCleanly(args: [String]) throws {
        let ponder = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1.path
        let r = try runProcess(ponder, args.map { $0 == "MODEL" ? model : $0 }, timeout: 60)
        #expect(!r.signaled && !r.timedOut)
        #expect(r.status != 0)
        #expect(r.stdout.isEmpty)
        let firstLine = r.stderrText.split(separator: "\n").first.map(String.init) ?? ""
        #expect(firstLine.hasPrefix("Error: ") && firstLine.count > 10, "\(r.stderrText)")
    }
}
