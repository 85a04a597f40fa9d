import Foundation
import Testing
import GGUF
import TestSupport

/// "Nothing larger than the file is ever allocated": files whose metadata is one huge
/// array of the smallest elements (1-byte uint8s, 1-to-3-byte strings, tiny nested
/// arrays) go through `ponder inspect` in a child process, and the child's peak RSS may exceed that of inspecting a tiny file by at most
/// 1.125x the file's size: the mapping's pages (at most the file, once each page has been
/// read for validation) plus allocations under an eighth of the file (the arrays' offset
/// indexes; see GGUFArray). Decoding each element into a `GGUFValue` (~24 bytes) used to
/// cost up to ~24x the file (measured: 1.6 GB for the 64 MiB uint8 array).
@Suite struct ArrayFootprintTests {
    /// Little-endian bytes of a GGUF v3 file with no tensors and one key whose array
    /// payload (element type, count, elements) is written by `payload`.
    static func file(key: String, elementType: UInt32, count: Int,
                     payload: (inout [UInt8]) -> Void) -> [UInt8] {
        typealias B = GGUFBuilder
        var o = Array("GGUF".utf8) + B.le(UInt32(3)) + B.le(UInt64(0)) + B.le(UInt64(1))
        o += B.str(key) + B.le(B.array) + B.le(elementType) + B.le(UInt64(count))
        payload(&o)
        return o
    }

    static func files() -> [(name: String, count: Int, bytes: [UInt8])] {
        typealias B = GGUFBuilder
        let u8Count = 64 << 20
        let u8 = file(key: "big.u8", elementType: B.u8, count: u8Count) {
            $0.append(contentsOf: repeatElement(7, count: u8Count))
        }
        let nStrings = 4_000_000
        let strings = file(key: "big.strings", elementType: B.string, count: nStrings) { o in
            o.reserveCapacity(o.count + nStrings * 10)
            for k in 0..<nStrings {
                let n = 1 + k % 3    // "a", "ab", "abc", …
                o += B.le(UInt64(n))
                o += Array("abc".utf8.prefix(n))
            }
        }
        // 1M inner arrays, each two strings ("x", "yz"): 12 + 9 + 10 = 31 bytes.
        let nInner = 1_000_000
        let inner = B.arr(B.string, count: 2, B.str("x") + B.str("yz"))
        let nested = file(key: "big.nested", elementType: B.array, count: nInner) { o in
            o.reserveCapacity(o.count + nInner * inner.count)
            for _ in 0..<nInner { o += inner }
        }
        return [("uint8", u8Count, u8), ("strings", nStrings, strings), ("nested", nInner, nested)]
    }

    /// Forks (a real fork of this small Python process, so the child's ru_maxrss starts
    /// from Python's few MiB, not from the test process's size) and runs argv[2:] with
    /// stdout to argv[1]; prints {"status", "maxrss_kib", "cpu"} from wait4 for that child.
    static let measure = #"""
import os, sys, json
pid = os.fork()
if pid == 0:
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.execv(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
json.dump({"status": os.waitstatus_to_exitcode(status), "maxrss_kib": ru.ru_maxrss,
           "cpu": ru.ru_utime + ru.ru_stime}, sys.stdout)
"""#

    struct Run: Decodable { let status: Int; let maxrss_kib: Int; let cpu: Double }

    static func inspect(_ file: URL, stdout: URL) throws -> Run {
        let out = try runPython(measure, [stdout.path, try TestEnv.ponderBinary().path, "inspect", file.path])
        return try JSONDecoder().decode(Run.self, from: out)
    }

    @Test func peakRSSStaysWithinTheFileSize() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-footprint-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let stdout = dir.appendingPathComponent("stdout.txt")

        let tiny = dir.appendingPathComponent("tiny.gguf")
        try Data(GGUFBuilder.valid().bytes()).write(to: tiny)
        let base = try Self.inspect(tiny, stdout: stdout)
        #expect(base.status == 0, "tiny file: exit \(base.status)")

        for f in Self.files() {
            let url = dir.appendingPathComponent("\(f.name).gguf")
            try Data(f.bytes).write(to: url)
            let r = try Self.inspect(url, stdout: stdout)
            try? FileManager.default.removeItem(at: url)
            let text = String(decoding: try Data(contentsOf: stdout), as: UTF8.self)
            let growthKiB = r.maxrss_kib - base.maxrss_kib
            let fileKiB = f.bytes.count / 1024
            print("array footprint: \(f.name): file \(fileKiB) KiB, peak RSS \(r.maxrss_kib) KiB "
                  + "(+\(growthKiB) KiB over a tiny file), \(r.cpu) s CPU")
            #expect(r.status == 0, "\(f.name): exit \(r.status)")
            #expect(text.contains("(\(f.count) entries)"), "\(f.name): count not shown")
            #expect(growthKiB <= fileKiB + fileKiB / 8, "\(f.name): peak RSS grew \(growthKiB) KiB for a \(fileKiB) KiB file")
        }
    }
}
