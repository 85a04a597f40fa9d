import Foundation
import Testing
import GGUF
import TestSupport

/// Opening a model maps it and reads only the header: the mapping's resident pages
/// (from /proc/self/smaps, so other tests running in this process do not disturb the
/// figure) stay near the header size, far below the file size.
@Suite struct LoadFootprintTests {
    /// Resident bytes of the mapping that starts at `base`, from /proc/self/smaps.
    static func residentBytes(of base: UnsafeRawPointer) throws -> Int {
        // /proc files report size 0: read to end of file, not by stat size.
        let h = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps"))
        let smaps = String(decoding: try h.readToEnd() ?? Data(), as: UTF8.self)
        try h.close()
        let start = String(UInt(bitPattern: base), radix: 16)
        var inside = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), line.first?.isHexDigit == true,
               !line.hasPrefix("Rss") {
                inside = line[..<dash] == start
            } else if inside, line.hasPrefix("Rss:") {
                let kb = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? -1
                return kb * 1024
            }
        }
        struct NotFound: Error { let start: String }
        throw NotFound(start: start)
    }

    @Test func openingSmolLM2TouchesOnlyTheHeader() throws {
        let start = DispatchTime.now()
        let g = try GGUFFile(path: try TestEnv.smolQ4_1.path)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
        let resident = try Self.residentBytes(of: g.mapping.base)
        print("GGUF load: SmolLM2 Q4_1 (\(g.fileSize) bytes, header \(g.headerSize)) opened in \(ms) ms; mapping resident \(resident) bytes")
        // The header plus the kernel's fault-around window (up to 64 KiB per fault edge), or
        // the header's 2 MiB huge page: when the page cache holds the file's start as one
        // 2 MiB folio (another process read it), the kernel maps it whole (seen once in CI:
        // Rss exactly 2097152 for a 1.79 MB header).
        let hugePage = 2 << 20
        let bound = max(g.headerSize + 256 << 10, (g.headerSize + hugePage - 1) / hugePage * hugePage)
        #expect(resident <= bound, "resident \(resident), header \(g.headerSize)")
        #expect(resident < g.fileSize / 10)
        // Touching one tensor makes its pages resident, and only about those.
        let t = try #require(g.tensor(named: "blk.0.ffn_down.weight"))
        _ = try g.dequantize(t)
        let after = try Self.residentBytes(of: g.mapping.base)
        #expect(after >= resident + t.byteCount - 4096 * 2 || after >= t.byteCount)
        #expect(after <= resident + t.byteCount + max(512 << 10, 2 * hugePage))
    }
}
