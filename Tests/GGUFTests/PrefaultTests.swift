import Foundation
import Testing
import GGUF
import TestSupport

/// `MappedFile.prefault` (the chat's weight loading with progress) on the real SmolLM2
/// file: it reads the bytes numpy reads at the same positions (oracle: numpy over the
/// file, not the mapping), covers the file from the data offset to the end, and reports
/// progress rising to that total; a false from `progress` stops it.
@Suite struct PrefaultTests {
    static let oracle = """
        import sys, numpy as np
        data = np.fromfile(sys.argv[1], dtype=np.uint8)
        start, stride = int(sys.argv[2]), int(sys.argv[3])
        print(int(data[start::stride].astype(np.uint64).sum()), len(data) - start)
        """

    @Test func readsTheFileFromTheDataOffsetWithRisingProgress() throws {
        let path = try TestEnv.smolQ4_1.path
        let g = try GGUFFile(path: path)
        let stride = 4096, chunk = 4 << 20
        var steps: [(Int, Int)] = []
        let r = g.mapping.prefault(from: g.dataOffset, stride: stride, chunkBytes: chunk) { d, t in
            steps.append((d, t)); return true
        }
        let out = String(decoding: try runPython(Self.oracle, [path, "\(g.dataOffset)", "\(stride)"]), as: UTF8.self)
            .split(separator: " ").compactMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(out.count == 2)
        guard out.count == 2 else { return }
        #expect(r.checksum == out[0])
        #expect(r.bytes == Int(out[1]))
        #expect(steps.count == (Int(out[1]) + chunk - 1) / chunk)
        #expect(steps.allSatisfy { $0.1 == Int(out[1]) })
        #expect(zip(steps, steps.dropFirst()).allSatisfy { $0.0 < $1.0 })
        #expect(steps.last?.0 == Int(out[1]))
    }

    @Test func stopsWhenProgressSaysSo() throws {
        let g = try GGUFFile(path: try TestEnv.smolQ4_1.path)
        var calls = 0
        let r = g.mapping.prefault(from: g.dataOffset, chunkBytes: 1 << 20) { _, _ in calls += 1; return calls < 3 }
        #expect(calls == 3)
        #expect(r.bytes == 3 << 20)
        // Past the end: nothing to do, no progress call.
        let none = g.mapping.prefault(from: g.fileSize + 10) { _, _ in Issue.record("called"); return true }
        #expect(none.bytes == 0 && none.checksum == 0)
    }
}
