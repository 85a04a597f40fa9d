import Foundation
import Testing
import TestSupport

/// `ponder bench --server`, the real binary against llama.cpp's own server (xllamacpp)
/// serving SmolLM2: the table of Ponder's and the server's own timings, and its errors.
@Suite(.serialized) struct ServerBenchTests {
    @Test func benchOnAServerComparesPonderWithTheServersTimings() throws {
        let bin = try TestEnv.ponderBinary()
        let server = try LlamaServer(model: try TestEnv.smolQ4_1)
        defer { server.stop() }
        let r = try runProcess(bin, ["bench", "--server", server.url, "-n", "12", "-r", "2"], timeout: 180)
        #expect(r.status == 0, "\(r.stderrText)")
        let lines = r.stdoutText.split(separator: "\n").map(String.init)
        // Greedy with a 12-token limit on a story prompt: the server's own count (its
        // predicted_n) and Ponder's count of streamed tokens are both the limit.
        #expect(lines.contains("tokens per reply: Ponder 12 12, server 12 12"), "\(r.stdoutText)")
        func row(_ name: String) -> [Double] {
            guard let l = lines.first(where: { $0.hasPrefix("| \(name) |") }) else { return [] }
            return l.split(separator: "|").dropFirst().compactMap { Double($0.split(separator: ",").first?
                .trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") }
        }
        // Median through Ponder, the server's median, the overhead: all finite and positive rates.
        let ttft = row("time to first token (ms)"), rate = row("decode (tok/s)")
        #expect(ttft.count == 3 && rate.count == 3, "\(r.stdoutText)")
        #expect(ttft.prefix(2).allSatisfy { $0 > 0 } && rate.prefix(2).allSatisfy { $0 > 0 }, "\(r.stdoutText)")

        // Nobody listening, or --model beside --server: one line, non-zero.
        for (args, says) in [(["bench", "--server", "http://127.0.0.1:\(LlamaServer.freePort())"], "cannot reach"),
                             (["bench", "--server", server.url, "--model", "x.gguf"], "give one")] {
            let e = try runProcess(bin, args, timeout: 60)
            #expect(e.status != 0, "\(args)")
            #expect(e.stderrText.contains(says) && e.stderrText.split(separator: "\n").count == 1, "\(args): \(e.stderrText)")
        }
    }
}
