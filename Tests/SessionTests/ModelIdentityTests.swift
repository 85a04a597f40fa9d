import Foundation
import Testing
import TestSupport
import GGUF
import Session

/// The model identity recorded in sessions, against Python: the gguf package's
/// data offset and an FNV-1a-64 written in Python.
@Suite struct ModelIdentityTests {
    @Test func smolLM2IdentityMatchesPython() throws {
        let url = try TestEnv.smolQ4_1
        let source = """
            import sys, os
            from gguf import GGUFReader
            p = sys.argv[1]
            n = GGUFReader(p).data_offset
            h = 0xcbf29ce484222325
            with open(p, 'rb') as f:
                for b in f.read(n):
                    h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
            print(os.path.basename(p), os.path.getsize(p), "fnv1a64:%016x" % h)
            """
        let out = String(decoding: try runPython(source, [url.path]), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").map(String.init)
        let id = ModelIdentity.of(try GGUFFile(path: url.path))
        #expect([id.fileName, String(id.size), id.headerHash] == out)
        #expect(try ModelIdentity.of(fileAt: url, headerBytes: GGUFFile(path: url.path).headerSize) == id)
        let other = ModelIdentity.of(try GGUFFile(path: try TestEnv.smolQ8_0.path))
        #expect(id.mismatch(with: other) != nil && id.mismatch(with: id) == nil)
    }
}
