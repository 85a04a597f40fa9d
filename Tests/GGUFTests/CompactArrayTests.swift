import Foundation
import Testing
@testable import GGUF
import TestSupport

/// Metadata arrays are views into the mapping (GGUFArray), decoded on access. These tests
/// check that what the `gguf` Python package writes reads back the same through every
/// access path (iteration, random access, typed accessors), that arrays outlive their
/// `GGUFFile`, and that the UTF-8 check used at parse time agrees with the standard library.
@Suite struct CompactArrayTests {
    /// A top-level array to write: element type name (GGUFValueType) and values. Nested
    /// arrays hold lists whose element types the writer infers (int32, float32, bool,
    /// string, array).
    enum Spec {
        case ints(GGUFValueType, [Int])
        case floats(GGUFValueType, [Double])
        case bools([Bool])
        case strings([String])
        case nested([Spec])

        var json: Any {
            switch self {
            case .ints(_, let v): v
            case .floats(_, let v): v
            case .bools(let v): v
            case .strings(let v): v
            case .nested(let v): v.map(\.json)
            }
        }

        var typeName: String {
            switch self {
            case .ints(let t, _), .floats(let t, _): t.name
            case .bools: "bool"
            case .strings: "string"
            case .nested: "array"
            }
        }

        static func double(_ v: GGUFValue) -> Double? {
            switch v {
            case .float32(let f): Double(f)
            case .float64(let d): d
            default: nil
            }
        }

        /// Whether `a` holds these values, read by iteration and by random access.
        func matches(_ a: GGUFArray) -> Bool {
            let byIteration = Array(a)
            let byIndex = (0..<a.count).reversed().map { a[$0] }.reversed()
            guard Array(byIndex) == byIteration else { return false }
            switch self {
            case .ints(let t, let v):
                return a.elementType == t && a.asInts == v && byIteration.map(\.intValue) == v
            case .floats(let t, let v):
                return a.elementType == t && byIteration.map(Self.double) == v
                    && a.asFloats == v.map(Float.init)
            case .bools(let v):
                return a.elementType == .bool && byIteration.map(\.boolValue) == v
            case .strings(let v):
                return a.elementType == .string && a.asStrings == v && byIteration.map(\.stringValue) == v
            case .nested(let v):
                return a.elementType == .array && v.count == a.count
                    && zip(v, byIteration).allSatisfy { s, x in x.arrayValue.map { s.matches($0) } ?? false }
            }
        }
    }

    static let writer = #"""
import sys, json, gguf
from gguf import GGUFValueType as V
spec = json.load(sys.stdin)
w = gguf.GGUFWriter(sys.argv[1], "llama")
for key, t, values in spec:
    w.add_key_value(key, values, V.ARRAY, sub_type=V[t.upper()])
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
"""#

    /// Random specs: every element type, counts around the string index stride (16),
    /// strings of 0 to 40 bytes with multi-byte characters, nesting two levels deep.
    static func specs() -> [(String, Spec)] {
        var rng = CorruptionTests.Rng(state: 42)
        let alphabet = ["a", "b", " ", "é", "字", "🙂", "\n", "<|im_end|>", "\u{0}"]
        func str() -> String { (0..<rng.below(12)).map { _ in alphabet[rng.below(alphabet.count)] }.joined() }
        func count() -> Int { [1, 2, 15, 16, 17, 31, 33, 100, 1000][rng.below(9)] }
        // Odd multiples of 1/8 and 1/64: never integral, so JSON keeps them floats (the
        // writer infers nested element types from the first value), exact in float32.
        func floats(_ n: Int) -> [Double] { (0..<n).map { _ in Double(2 * rng.below(2000) - 1999) / 8 } }
        var out: [(String, Spec)] = []
        let ranges: [(GGUFValueType, Int, Int)] = [
            (.uint8, 0, 255), (.int8, -128, 127), (.uint16, 0, 65535), (.int16, -32768, 32767),
            (.uint32, 0, 1 << 32 - 1), (.int32, -(1 << 31), 1 << 31 - 1),
            (.uint64, 0, Int.max), (.int64, Int.min, Int.max),
        ]
        for (t, lo, hi) in ranges {
            let n = count()
            out.append(("x.\(t.name)", .ints(t, (0..<n).map { k in
                k == 0 ? lo : k == 1 ? hi : Int.random(in: lo...hi, using: &rng)
            })))
        }
        out.append(("x.float32", .floats(.float32, floats(count()))))
        out.append(("x.float64", .floats(.float64, (0..<count()).map { _ in Double(2 * rng.below(1 << 20) + 1) / 64 })))
        out.append(("x.bool", .bools((0..<count()).map { _ in rng.below(2) == 1 })))
        for k in 0..<4 { out.append(("x.strings\(k)", .strings((0..<count()).map { _ in str() }))) }
        // Nested: arrays of int32, float32, bool and string lists, and arrays of arrays.
        func inner() -> Spec {
            let n = 1 + rng.below(20)
            switch rng.below(4) {
            case 0: return .ints(.int32, (0..<n).map { _ in Int(Int32.random(in: .min ... .max, using: &rng)) })
            case 1: return .floats(.float32, floats(n))
            case 2: return .bools((0..<n).map { _ in rng.below(2) == 1 })
            default: return .strings((0..<n).map { _ in str() })
            }
        }
        out.append(("x.nested", .nested((0..<40).map { _ in inner() })))
        out.append(("x.nested2", .nested((0..<20).map { _ in .nested((0..<(1 + rng.below(5))).map { _ in inner() }) })))
        return out
    }

    @Test func arraysReadBackWhatPythonWrote() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-arrays-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("arrays.gguf").path
        let specs = Self.specs()
        let input = try JSONSerialization.data(withJSONObject: specs.map { [$0.0, $0.1.typeName, $0.1.json] })
        _ = try runPython(Self.writer, [path], stdin: input)

        let g = try GGUFFile(path: path)
        for (key, spec) in specs {
            let a = try #require(g.metadata[key]?.arrayValue, "\(key) missing")
            #expect(spec.matches(a), "\(key): read back \(Array(a.prefix(5)))")
        }
        // The nested arrays agree with the JSON rendering too (inspect --json's source).
        #expect(g.metadata["x.nested"]!.json.hasPrefix("["))
    }

    /// An array taken from a file stays readable after the file object is gone (it holds
    /// the mapping), even while other files are mapped and unmapped.
    @Test func arraysOutliveTheirFile() throws {
        let tokens = (0..<100).map { "tok\($0)é" }
        var b = GGUFBuilder()
        b.kvs = [GGUFBuilder.KV("x.t", GGUFBuilder.array,
                                GGUFBuilder.arr(GGUFBuilder.string, count: 100, tokens.flatMap(GGUFBuilder.str)))]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-outlive-\(UUID()).gguf")
        try Data(b.bytes()).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        func take() throws -> GGUFArray { try GGUFFile(path: url.path).metadata["x.t"]!.arrayValue! }
        let kept = try take()
        for _ in 0..<20 { _ = try GGUFFile(path: try TestEnv.smolQ4_1.path).metadata.count }
        #expect(kept.asStrings == tokens)
        #expect(kept[57].stringValue == tokens[57])
    }

    /// Empty arrays (the Python writer refuses them) of each kind, built by hand.
    @Test func emptyArrays() throws {
        typealias B = GGUFBuilder
        var b = B()
        b.kvs = [B.KV("x.s", B.array, B.arr(B.string, count: 0, [])),
                 B.KV("x.n", B.array, B.arr(B.array, count: 1, B.arr(B.u8, count: 0, []))),
                 B.KV("x.u", B.array, B.arr(B.u64, count: 0, []))]
        let g = try parseGGUF(b.bytes()).get()
        #expect(g.metadata["x.s"]!.arrayValue!.asStrings == [])
        #expect(g.metadata["x.n"]!.arrayValue![0].arrayValue!.isEmpty)
        #expect(g.metadata["x.u"]!.arrayValue!.asInts == [])
    }

    /// The allocation-free UTF-8 check accepts exactly what the standard library accepts,
    /// on random bytes shaped like UTF-8 (lead and continuation bytes, edge values).
    @Test func utf8CheckAgreesWithStandardLibrary() {
        var rng = CorruptionTests.Rng(state: 7)
        let edges: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
                              0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        var disagreements: [[UInt8]] = []
        var valid = 0
        for _ in 0..<200_000 {
            let n = rng.below(14)
            let bytes: [UInt8] = (0..<n).map { _ in
                rng.below(3) == 0 ? UInt8(truncatingIfNeeded: rng.next()) : edges[rng.below(edges.count)]
            }
            let mine = bytes.withUnsafeBufferPointer { isValidUTF8($0) }
            let std = String(validating: bytes, as: UTF8.self) != nil
            if std { valid += 1 }
            if mine != std { disagreements.append(bytes) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, first: \(disagreements.prefix(3))")
        #expect(valid > 1000)   // the sample holds plenty of valid strings, not only invalid ones
    }
}

extension CorruptionTests.Rng: RandomNumberGenerator {}
