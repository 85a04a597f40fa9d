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

    /// A symbolic link to the model has the model's identity (name, size and header of
    /// the target, not the link's few bytes), through both ways of computing it.
    @Test func symlinkHasTargetIdentity() throws {
        let url = try TestEnv.smolQ4_1
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-id-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("model.gguf")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: url.path)
        let linkSize = try FileManager.default.attributesOfItem(atPath: link.path)[.size] as? Int64
        let target = ModelIdentity.of(try GGUFFile(path: url.path))
        #expect(linkSize != target.size)   // lstat sees the link itself
        let headerBytes = try GGUFFile(path: url.path).headerSize
        #expect(try ModelIdentity.of(fileAt: link, headerBytes: headerBytes) == target)
        #expect(ModelIdentity.of(try GGUFFile(path: link.path)) == target)
        #expect(target.mismatch(with: try ModelIdentity.of(fileAt: link, headerBytes: headerBytes)) == nil)
    }
}
