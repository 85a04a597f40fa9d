import Testing
import Foundation
import TestSupport

/// The stats bar names a mixed file's precision, on llama.cpp's IQ3_S mix of SmolLM2 in a
/// real terminal: the weight matrices' main type (the most bytes among the 2-D tensors),
/// "mix", and the file's bits per weight, all three from gguf-py's reader.
@Suite(.serialized) struct PrecisionStatsBarTests {
    @Test func theBarNamesTheMix() throws {
        let model = try TestEnv.model("SmolLM2-135M-Instruct.IQ3_S.gguf")
        let want = String(decoding: try runPython("""
            import sys, gguf
            r = gguf.GGUFReader(sys.argv[1])
            w = {}
            for t in r.tensors:
                if len(t.shape) >= 2: w[t.tensor_type.name] = w.get(t.tensor_type.name, 0) + int(t.n_bytes)
            bpw = sum(int(t.n_bytes) for t in r.tensors) * 8 / sum(int(t.n_elements) for t in r.tensors)
            print(max(w, key=w.get) + (" mix" if len(w) > 1 else "") + f", {bpw:.1f} bpw")
            """, [model.path]), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(want.contains(" mix, "), "the file is not a mix: \(want)")
        let t = try TerminalTests.Tmux()
        defer { _ = try? t.run(["kill-server"]) }
        try t.startPonder(width: 120, height: 20, environment: "PONDER_THREADS=1", "chat --model \"\(model.path)\"")
        try t.wait(for: " DIRECT │", timeout: 60)
        let screen = try t.screen()
        #expect(screen.contains { $0.hasPrefix(" DIRECT │") && $0.contains(" \(want)") }, "no '\(want)' in the bar: \(screen)")
        try t.keys("C-d")
    }
}
