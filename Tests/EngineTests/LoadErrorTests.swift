import Foundation
import Testing
import Engine
import GGUF
import TestSupport

/// Broken models (written by scripts/make_test_models.py --bad) are refused at load with
/// an error naming the tensor; the CLI turns it into one line and exit status 1.
@Suite("Model loading")
struct LoadErrorTests {
    func broken(_ kind: String) throws -> URL {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-bad-\(kind)-\(UUID().uuidString).gguf")
        let script = TestEnv.repoRoot.appendingPathComponent("scripts/make_test_models.py")
        let r = try runProcess(try TestEnv.python(), [script.path, "--bad", kind, out.path])
        guard r.status == 0 else { throw OracleError(r.stderrText) }
        return out
    }

    @Test("missing, mis-shaped and unsupported tensors are named",
          arguments: [
            ("missing", EngineError.missingTensor("blk.1.ffn_up.weight")),
            ("shape", EngineError.badShape(tensor: "blk.1.attn_k.weight", expected: [256, 128], found: [256, 160])),
            ("type", EngineError.unsupportedType(tensor: "blk.0.attn_v.weight", type: "TQ2_0")),
          ])
    func refused(kind: String, error: EngineError) throws {
        let url = try broken(kind)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: error) { _ = try LlamaModel(path: url.path) }
        let r = try runProcess(try TestEnv.ponderBinary(), ["run", "--model", url.path, "--tokens", "1,2"])
        #expect(r.status == 1 && !r.signaled)
        let lines = r.stderrText.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.contains("blk.") == true, "\(r.stderrText)")
    }

    @Test("Configuration from metadata: Nemotron-like widths, rope factors, untied output")
    func syntheticConfig() throws {
        let m = try LlamaModel(path: try TestEnv.syntheticMixed.path)
        let c = m.config
        #expect(c.hidden == 256 && c.headCount == 8 && c.kvHeadCount == 2 && c.headDimK == 64)
        #expect(c.queryWidth == 512 && c.ropeFreqBase == 500000)
        #expect(!m.tiedOutput)
        let smol = try LlamaModel(path: try TestEnv.smolQ4_1.path)
        #expect(smol.tiedOutput)
        #expect(smol.config.normEps == 1e-5 && smol.config.headDimK == 64)
    }

    @Test("A file that is not a model is one clear line")
    func notAModel() throws {
        let r = try runProcess(try TestEnv.ponderBinary(), ["run", "--model", "/usr/share/common-licenses/GPL-3", "--tokens", "1"])
        #expect(r.status == 1 && !r.signaled)
        #expect(r.stderrText.split(separator: "\n").count == 1)
    }
}
