// libFuzzer entry point for the GGUF reader. Built by fuzz/run.sh with
//   swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name GGUF Sources/GGUF/*.swift fuzz/GGUFFuzz.swift
// (the module's sources compiled together with this file; a SwiftPM executable target
// cannot link libFuzzer's main, see /work/shared/NOTES.md).
// Input: any bytes, parsed as a GGUF file from memory through the same code path as a
// mapped file. A parsed file is then summarized, its metadata rendered and its small
// tensors dequantized, so those paths see hostile (but validated) input too.

@_cdecl("LLVMFuzzerTestOneInput")
public func ggufFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let g = try? GGUFFile(bytes: bytes, name: "fuzz.gguf") else { return 0 }
    _ = GGUFSummary(g)
    for key in g.metadata.keys {
        _ = g.metadata[key]!.text()
        _ = g.metadata[key]!.json
    }
    for t in g.tensors where t.type.isSupported && t.elementCount <= 1 << 16 {
        _ = try? g.dequantize(t)
    }
    return 0
}
