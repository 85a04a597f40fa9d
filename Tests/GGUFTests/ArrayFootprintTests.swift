import Foundation
import Testing
import GGUF
import TestSupport

/// "Nothing larger than the file is ever allocated": files whose metadata is one huge
/// array of the smallest elements (1-byte uint8s, 1-to-3-byte strings, tiny nested
/// arrays) go through `ponder inspect` in a child process, and the child's peak RSS (wait4
/// rusage, this child alone) may exceed that of inspecting a tiny file by at most
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

    @Test func peakRSSStaysWithinTheFileSize() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-footprint-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bin = try TestEnv.ponderBinary()

        let tiny = dir.appendingPathComponent("tiny.gguf")
        try Data(GGUFBuilder.valid().bytes()).write(to: tiny)
        let base = try runMeasured(bin, ["inspect", tiny.path], timeout: 120)
        #expect(base.status == 0 && base.signal == nil, "tiny file: \(base.stderrText)")

        for f in Self.files() {
            let url = dir.appendingPathComponent("\(f.name).gguf")
            try Data(f.bytes).write(to: url)
            let r = try runMeasured(bin, ["inspect", url.path], timeout: 300)
            try? FileManager.default.removeItem(at: url)
            let growthKiB = r.maxRSSKiB - base.maxRSSKiB
            let fileKiB = f.bytes.count / 1024
            print("array footprint: \(f.name): file \(fileKiB) KiB, peak RSS \(r.maxRSSKiB) KiB "
                  + "(+\(growthKiB) KiB over a tiny file), \(r.cpuSeconds) s CPU")
            #expect(r.status == 0 && r.signal == nil, "\(f.name): exit \(r.status), \(r.stderrText)")
            #expect(r.stdoutText.contains("(\(f.count) entries)"), "\(f.name): count not shown")
            #expect(growthKiB <= fileKiB + fileKiB / 8, "\(f.name): peak RSS grew \(growthKiB) KiB for a \(fileKiB) KiB file")
        }
    }
}
