import Foundation
import Testing
import TestSupport

/// `ponder bench --json` on the real SmolLM2 model: the decode roofline's read probes are
/// taken around every decode run, the roofline is set by the best of them, and the stable
/// share is recomputed here from the printed runs and probes (runs whose probes before and
/// after agree within 10%, each run's rate times the bytes per token over its probes' mean).
@Suite struct BenchRooflineTests {
    @Test func stableShareFollowsTheProbesAroundEachRun() throws {
        let bin = try TestEnv.ponderBinary(), model = try TestEnv.smolQ4_1.path
        let r = try runProcess(bin, ["bench", "--model", model, "--threads", "1", "-p", "0", "-n", "8", "-r", "3", "--json"], timeout: 300)
        #expect(r.status == 0 && !r.signaled, "\(r.stderrText)")
        let line = try #require(r.stdoutText.split(separator: "\n").last)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let tg = try #require(o["tg_all"] as? [Double]), pairs = try #require(o["read_bandwidth_pairs"] as? [[Double]])
        let bytes = try #require(o["weight_bytes_per_token"] as? Double), best = try #require(o["read_bandwidth_gb_s"] as? Double)
        #expect(tg.count == 3 && pairs.count == 3 && pairs.allSatisfy { $0.count == 2 && $0.allSatisfy { $0 > 0 } })
        #expect(best == pairs.flatMap { $0 }.max())
        let shares = zip(tg, pairs).compactMap { rate, p -> Double? in
            min(p[0], p[1]) >= 0.9 * max(p[0], p[1]) ? rate * bytes / ((p[0] + p[1]) / 2 * 1e9) : nil
        }.sorted()
        #expect(o["tg_stable_runs"] as? Int == shares.count)
        if !shares.isEmpty {
            let n = shares.count, median = n % 2 == 1 ? shares[n / 2] : (shares[n / 2 - 1] + shares[n / 2]) / 2
            let printed = try #require(o["tg_roofline_share_stable_median"] as? Double)
            #expect(abs(printed - median) <= 1e-9 * median, "\(printed) vs \(median)")
        } else {
            #expect(o["tg_roofline_share_stable_median"] == nil)
        }
    }
}
